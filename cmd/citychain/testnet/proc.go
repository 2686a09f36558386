package testnet

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/citychain/citychain/cmd/citychain/local"
)

// Proc is one service process of the network.
type Proc struct {
	p *local.Process
	// ready reports whether the started process serves.
	ready func(context.Context) bool
	// prepare, if set, runs before each start (it may rewrite the
	// process's configuration).
	prepare func() error
}

func newProc(name, bin string, args []string, logPath string, ready func(context.Context) bool) *Proc {
	return &Proc{p: local.NewProcess(name, bin, args, logPath), ready: ready}
}

// Kill ends the process with SIGKILL and waits for its exit.
func (p *Proc) Kill() error { return p.p.Kill() }

// Stop ends the process with SIGTERM (SIGKILL after 10 s) and waits.
func (p *Proc) Stop() error { return p.p.Stop() }

// Start starts the same command again and waits until it is ready.
func (p *Proc) Start(ctx context.Context) error {
	if p.p.Running() {
		return fmt.Errorf("%s: already running", p.p.Name())
	}
	_ = p.p.Kill() // forget a run that ended on its own
	if p.prepare != nil {
		if err := p.prepare(); err != nil {
			return fmt.Errorf("%s: %w", p.p.Name(), err)
		}
	}
	if err := p.p.Start(); err != nil {
		return err
	}
	if err := p.p.WaitReady(ctx, p.ready); err != nil {
		_ = p.p.Kill()
		return err
	}
	return nil
}

// Running reports whether the process is alive.
func (p *Proc) Running() bool { return p.p.Running() }

// LogPath is the file receiving the process's output.
func (p *Proc) LogPath() string { return p.p.LogPath() }

// PID is the process id, 0 when it is not running.
func (p *Proc) PID() int { return p.p.PID() }

// Name names the process in logs and errors.
func (p *Proc) Name() string { return p.p.Name() }

// Validator is one `citychain node` process.
type Validator struct {
	*Proc
	Home, RPCURL string
	Index        int

	relays []*relay // every P2P relay from or to this validator
}

// Cut cuts all of the validator's P2P links, in and out, until Restore;
// the process keeps running.
func (v *Validator) Cut() error {
	for _, r := range v.relays {
		r.setCut(true)
	}
	return nil
}

// Restore lets the validator's peers reach it again (CometBFT redials its
// persistent peers within seconds).
func (v *Validator) Restore() error {
	for _, r := range v.relays {
		r.setCut(false)
	}
	return nil
}

// Agent is one `edge-agent` process, a gateway.
type Agent struct {
	*Proc
	Gateway string
	Devices []string

	broker *relay
}

// Cut cuts the agent's link to the broker until Restore.
func (a *Agent) Cut() error {
	a.broker.setCut(true)
	return nil
}

// Restore gives the agent its broker back.
func (a *Agent) Restore() error {
	a.broker.setCut(false)
	return nil
}

// httpOK reports whether GET url answers 200.
func httpOK(ctx context.Context, url string) bool {
	return local.HTTPStatus(ctx, url) == http.StatusOK
}

// stopAll stops procs in reverse order.
func stopAll(procs []*Proc) error {
	var errs []error
	for i := len(procs) - 1; i >= 0; i-- {
		if err := procs[i].Stop(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// poll calls f every interval until it reports true or ctx ends.
func poll(ctx context.Context, every time.Duration, f func() bool) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for !f() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}
