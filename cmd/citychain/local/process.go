package local

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// process is one run of a service binary; Restart starts the same command
// line again.
type process struct {
	name    string
	bin     string
	args    []string
	env     []string // added to this process's environment
	logPath string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

func (p *process) start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		return fmt.Errorf("%s: already running", p.name)
	}
	logf, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("%s: open log: %w", p.name, err)
	}
	cmd := exec.Command(p.bin, p.args...)
	if len(p.env) > 0 {
		cmd.Env = append(os.Environ(), p.env...)
	}
	cmd.Stdout = logf
	cmd.Stderr = logf
	// The service dies with the process that started it (a test binary
	// killed by a timeout leaves nothing behind).
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("%s: start %s: %w", p.name, p.bin, err)
	}
	done := make(chan struct{})
	p.cmd, p.done = cmd, done
	go func() {
		err := cmd.Wait()
		logf.Close()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(done)
	}()
	return nil
}

// waitReady polls ready until it reports true, the process exits or ctx
// ends. Services have no readiness event, so this polls every 10 ms.
func (p *process) waitReady(ctx context.Context, ready func(context.Context) bool) error {
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	if done == nil {
		return fmt.Errorf("%s: not running", p.name)
	}
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		rctx, cancel := context.WithTimeout(ctx, time.Second)
		ok := ready(rctx)
		cancel()
		if ok {
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("%s exited before it was ready: %v\n%s", p.name, p.exitErr(), tail(p.logPath, 20))
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %w\n%s", p.name, ctx.Err(), tail(p.logPath, 20))
		case <-t.C:
		}
	}
}

func (p *process) exitErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// signal sends sig and waits up to wait for the exit; SIGKILL after that.
func (p *process) signal(sig syscall.Signal, wait time.Duration) error {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil {
		return nil
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(wait):
		_ = cmd.Process.Kill()
		<-done
	}
	p.mu.Lock()
	p.cmd, p.done = nil, nil
	p.mu.Unlock()
	return nil
}

// Stop ends the service gracefully (SIGTERM, SIGKILL after 10 s).
func (p *process) Stop() error { return p.signal(syscall.SIGTERM, 10*time.Second) }

// Kill ends the service with SIGKILL: no shutdown, no final save.
func (p *process) Kill() error { return p.signal(syscall.SIGKILL, time.Minute) }

// Running reports whether the service process is alive.
func (p *process) Running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done == nil {
		return false
	}
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// PID is the service's process id, 0 when it is not running.
func (p *process) PID() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// LogPath is the file receiving the service's output.
func (p *process) LogPath() string { return p.logPath }

// Process is a service process of the caller's choosing (a citychain
// binary, an edge agent): the same start, readiness wait, SIGTERM/SIGKILL
// and restart handling as the services of this package. Its output is
// appended to its log file; it dies with the process that started it.
type Process struct{ process }

// NewProcess describes a process running bin with args, its output going to
// logPath; nothing is started yet.
func NewProcess(name, bin string, args []string, logPath string) *Process {
	return &Process{process{name: name, bin: bin, args: args, logPath: logPath}}
}

// SetEnv adds "NAME=value" entries to the environment of every later start
// (secrets kept off the command line).
func (p *Process) SetEnv(env ...string) {
	p.mu.Lock()
	p.env = append(p.env, env...)
	p.mu.Unlock()
}

// Start starts the command (again, after Stop or Kill); it does not wait.
func (p *Process) Start() error { return p.start() }

// WaitReady polls ready every 10 ms until it reports true, the process
// exits (an error with the log's tail) or ctx ends.
func (p *Process) WaitReady(ctx context.Context, ready func(context.Context) bool) error {
	return p.waitReady(ctx, ready)
}

// Name is the process's name in errors.
func (p *Process) Name() string { return p.name }

// Args is the command line after the binary.
func (p *Process) Args() []string { return p.args }
