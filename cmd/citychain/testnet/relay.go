package testnet

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// relay is a loopback TCP relay: every connection accepted on its port is
// joined to a new connection to the first of its targets that accepts one.
// Cut closes the connections and refuses new ones (they are accepted and
// closed at once) until Restore: the link through it is down while both
// ends keep running.
type relay struct {
	ln      net.Listener
	targets []string

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

func newRelay(targets ...string) (*relay, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("relay to %v: %w", targets, err)
	}
	r := &relay{ln: ln, targets: targets, conns: map[net.Conn]struct{}{}}
	r.wg.Add(1)
	go r.serve()
	return r, nil
}

// Addr is the relay's host:port.
func (r *relay) Addr() string { return r.ln.Addr().String() }

func (r *relay) serve() {
	defer r.wg.Done()
	for {
		c, err := r.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		if !r.track(c) {
			c.Close()
			continue
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.pipe(c)
		}()
	}
}

// track registers c unless the relay is cut.
func (r *relay) track(c net.Conn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cut || r.conns == nil {
		return false
	}
	r.conns[c] = struct{}{}
	return true
}

func (r *relay) untrack(cs ...net.Conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range cs {
		delete(r.conns, c)
		c.Close()
	}
}

func (r *relay) pipe(in net.Conn) {
	var out net.Conn
	for _, t := range r.targets {
		c, err := net.DialTimeout("tcp", t, 2*time.Second)
		if err == nil {
			out = c
			break
		}
	}
	if out == nil || !r.track(out) {
		if out != nil {
			out.Close()
		}
		r.untrack(in)
		return
	}
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go cp(out, in)
	go cp(in, out)
	<-done
	// One direction ended: the link is over, both ends see it close.
	r.untrack(in, out)
	<-done
}

// setCut cuts (closing every open connection) or restores the link.
func (r *relay) setCut(cut bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cut = cut
	if cut {
		for c := range r.conns {
			c.Close()
		}
	}
}

// Close stops the relay and closes its connections.
func (r *relay) Close() error {
	err := r.ln.Close()
	r.mu.Lock()
	for c := range r.conns {
		c.Close()
	}
	r.conns = nil
	r.mu.Unlock()
	r.wg.Wait()
	return err
}
