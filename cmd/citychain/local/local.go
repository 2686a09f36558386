// Package local starts real services on free loopback ports in a directory
// of the caller's choosing: a Mosquitto MQTT broker and an InfluxDB 1.8
// server. Tests of every component and the devnet use it; each service can
// be stopped, killed with SIGKILL and restarted on the same port with the
// same data, to exercise crash and outage paths. For tests it also runs a
// devnet node in the test's process (Devnet) and reads its keys (Key).
//
// Binaries: Mosquitto from PATH or /usr/sbin/mosquitto (.ci/test-deps.sh
// installs it); influxd from $CITYCHAIN_INFLUXD, <repo>/bin/influxd (built
// by .ci/influxd.sh) or PATH. A missing binary is reported as
// ErrNotInstalled; tests call SkipOrFail, which fails when $CI is set and
// skips otherwise.
package local

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// ErrNotInstalled reports a service binary that could not be found.
var ErrNotInstalled = errors.New("binary not installed")

// ModulePath is the Go module FindRepoRoot looks for.
const ModulePath = "github.com/citychain/citychain"

// FindRepoRoot walks up from the working directory to the directory whose
// go.mod declares ModulePath.
func FindRepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find repo root: %w", err)
	}
	for {
		if f, err := os.Open(filepath.Join(dir, "go.mod")); err == nil {
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if line := strings.TrimSpace(sc.Text()); line == "module "+ModulePath {
					f.Close()
					return dir, nil
				}
			}
			f.Close()
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("find repo root: no go.mod of %s above the working directory", ModulePath)
		}
		dir = parent
	}
}

// InfluxdBinary locates influxd: $CITYCHAIN_INFLUXD, then <repo>/bin/influxd,
// then PATH.
func InfluxdBinary() (string, error) {
	if p := os.Getenv("CITYCHAIN_INFLUXD"); p != "" {
		if isExecutable(p) {
			return p, nil
		}
		return "", fmt.Errorf("influxd: CITYCHAIN_INFLUXD=%s is not an executable file: %w", p, ErrNotInstalled)
	}
	if root, err := FindRepoRoot(); err == nil {
		if p := filepath.Join(root, "bin", "influxd"); isExecutable(p) {
			return p, nil
		}
	}
	if p, err := exec.LookPath("influxd"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("influxd: not in $CITYCHAIN_INFLUXD, <repo>/bin or PATH (run .ci/influxd.sh): %w", ErrNotInstalled)
}

// MosquittoBinary locates mosquitto on PATH or in /usr/sbin.
func MosquittoBinary() (string, error) {
	if p, err := exec.LookPath("mosquitto"); err == nil {
		return p, nil
	}
	if p := "/usr/sbin/mosquitto"; isExecutable(p) {
		return p, nil
	}
	return "", fmt.Errorf("mosquitto: not on PATH or in /usr/sbin (run .ci/test-deps.sh): %w", ErrNotInstalled)
}

// MosquittoPubBinary locates the mosquitto_pub client.
func MosquittoPubBinary() (string, error) {
	if p, err := exec.LookPath("mosquitto_pub"); err == nil {
		return p, nil
	}
	if p := "/usr/bin/mosquitto_pub"; isExecutable(p) {
		return p, nil
	}
	return "", fmt.Errorf("mosquitto_pub: not on PATH (run .ci/test-deps.sh): %w", ErrNotInstalled)
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}

// SkipOrFail ends a test that cannot get a service: a missing binary fails
// the test when $CI is set and skips it otherwise; any other error fails it.
func SkipOrFail(tb testing.TB, err error) {
	tb.Helper()
	if errors.Is(err, ErrNotInstalled) {
		if os.Getenv("CI") != "" {
			tb.Fatalf("%v (required when CI is set)", err)
		}
		tb.Skip(err)
	}
	tb.Fatal(err)
}

// handedOut are the ports FreePort returned in this process: the kernel
// may give a port it just gave back again, and two services of one network
// told the same port collide.
var handedOut = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago and
// that it has not returned before in this process.
func FreePort() (int, error) {
	handedOut.Lock()
	defer handedOut.Unlock()
	// Tried ports stay bound until the end, so a retry gets another one.
	var tried []net.Listener
	defer func() {
		for _, l := range tried {
			l.Close()
		}
	}()
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("find a free port: %w", err)
		}
		tried = append(tried, l)
		port := l.Addr().(*net.TCPAddr).Port
		if !handedOut.ports[port] {
			handedOut.ports[port] = true
			return port, nil
		}
	}
	return 0, errors.New("find a free port: 100 tries gave only ports handed out before")
}

// tail returns the last lines of a log file, for error messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// waitDial waits until addr accepts a TCP connection, the process exits or
// ctx ends.
func waitDial(ctx context.Context, p *process, addr string) error {
	return p.waitReady(ctx, func(ctx context.Context) bool {
		d := net.Dialer{}
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return false
		}
		c.Close()
		return true
	})
}
