package simulators

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/citychain/citychain/simulators/mbserver"
)

// Fleet is a set of simulated devices and their Modbus TCP listeners.
type Fleet struct {
	cfg     Config
	clock   Clock
	logger  *slog.Logger
	devices []*Device
	byID    map[string]*Device
	groups  []*group

	ready chan struct{} // closed once every listener is bound

	mu      sync.Mutex
	started bool
	cancel  context.CancelFunc
	done    chan error
	closed  sync.Once
	err     error
}

// group is one listener and the devices served on it.
type group struct {
	listen  string
	srv     *mbserver.Server
	ln      net.Listener
	devices []*Device
}

// Option configures New and Start.
type Option func(*options)

type options struct {
	clock  Clock
	logger *slog.Logger
}

// WithClock drives the fleet with c instead of a ScaledClock built from the
// config's Start and Speed.
func WithClock(c Clock) Option { return func(o *options) { o.clock = c } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// DefaultZone is the time zone of a config without Start.
var DefaultZone = time.FixedZone("UTC+09:00", 9*3600)

// New validates cfg and builds the devices. It does no I/O.
func New(cfg Config, opts ...Option) (*Fleet, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Speed == 0 {
		cfg.Speed = DefaultSpeed
	}
	if o.clock == nil {
		if cfg.Start.IsZero() {
			cfg.Start = time.Now().In(DefaultZone).Truncate(time.Second)
		}
		o.clock = NewScaledClock(cfg.Start, cfg.Speed)
	} else if cfg.Start.IsZero() {
		cfg.Start = o.clock.Now()
	}
	f := &Fleet{
		cfg:    cfg,
		clock:  o.clock,
		logger: o.logger,
		byID:   make(map[string]*Device),
		ready:  make(chan struct{}),
	}
	shared := make(map[string]*group)
	for _, dc := range cfg.Devices {
		d := newDevice(dc, f.clock, cfg.Start, f.logger)
		f.devices = append(f.devices, d)
		f.byID[dc.ID] = d
		g := shared[dc.Listen]
		if g == nil {
			listen := dc.Listen
			if listen == "" {
				listen = DefaultListen
			}
			srv, err := mbserver.New(mbserver.Config{}, f.logger.With("listen", listen))
			if err != nil {
				return nil, fmt.Errorf("modbus server for device %s: %w", dc.ID, err)
			}
			g = &group{listen: listen, srv: srv}
			f.groups = append(f.groups, g)
			if dc.Listen != "" {
				shared[dc.Listen] = g
			}
		}
		g.devices = append(g.devices, d)
		g.srv.Handle(d.UnitID(), d)
	}
	return f, nil
}

// Start builds the fleet, binds every listener and serves in the background
// until ctx is cancelled or Close is called.
func Start(ctx context.Context, cfg Config, opts ...Option) (*Fleet, error) {
	f, err := New(cfg, opts...)
	if err != nil {
		return nil, err
	}
	if err := f.listen(ctx); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	f.mu.Lock()
	f.cancel = cancel
	f.done = make(chan error, 1)
	f.mu.Unlock()
	go func() { f.done <- f.serve(ctx) }()
	return f, nil
}

// Run binds every listener and serves until ctx is cancelled. It returns
// nil after cancellation.
func (f *Fleet) Run(ctx context.Context) error {
	if err := f.listen(ctx); err != nil {
		return err
	}
	return f.serve(ctx)
}

// Close stops a fleet started with Start: listeners and connections are
// closed and the serving goroutines have ended when it returns.
func (f *Fleet) Close() error {
	f.closed.Do(func() {
		f.mu.Lock()
		cancel, done := f.cancel, f.done
		f.mu.Unlock()
		if cancel == nil {
			for _, g := range f.groups {
				if g.ln != nil {
					g.ln.Close()
				}
			}
			return
		}
		cancel()
		f.err = <-done
	})
	return f.err
}

func (f *Fleet) listen(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.started {
		return errors.New("simulator fleet already started")
	}
	f.started = true
	var lc net.ListenConfig
	for i, g := range f.groups {
		ln, err := lc.Listen(ctx, "tcp", g.listen)
		if err != nil {
			for _, prev := range f.groups[:i] {
				prev.ln.Close()
			}
			return fmt.Errorf("listen for device %s on %s: %w", g.devices[0].ID(), g.listen, err)
		}
		g.ln = ln
		for _, d := range g.devices {
			d.setAddr(ln.Addr().String())
			f.logger.Info("simulator listening", "device", d.ID(), "kind", string(d.Kind()),
				"addr", ln.Addr().String(), "unit", d.UnitID())
		}
	}
	close(f.ready)
	return nil
}

// Ready is closed once every listener is bound and Device.Addr is known
// (useful with Run, which blocks).
func (f *Fleet) Ready() <-chan struct{} { return f.ready }

func (f *Fleet) serve(ctx context.Context) error {
	errs := make(chan error, len(f.groups))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for _, g := range f.groups {
		go func() {
			err := g.srv.Serve(ctx, g.ln)
			if err != nil {
				err = fmt.Errorf("serve %s: %w", g.ln.Addr(), err)
				cancel() // one listener failing stops the fleet
			}
			errs <- err
		}()
	}
	var all []error
	for range f.groups {
		if err := <-errs; err != nil {
			all = append(all, err)
		}
	}
	return errors.Join(all...)
}

// Devices returns the devices in config order.
func (f *Fleet) Devices() []*Device { return append([]*Device(nil), f.devices...) }

// Device returns the device with the given id.
func (f *Fleet) Device(id string) (*Device, bool) {
	d, ok := f.byID[id]
	return d, ok
}

// Clock returns the clock driving the fleet.
func (f *Fleet) Clock() Clock { return f.clock }

// StartTime returns the simulated start time.
func (f *Fleet) StartTime() time.Time { return f.cfg.Start }
