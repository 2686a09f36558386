package devnet

import (
	"fmt"
	"log/slog"
	"net"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
)

// Broker is the embedded MQTT broker (mochi-mqtt) a devnet runs when no
// external broker is given.
type Broker struct {
	srv  *mqtt.Server
	addr string
}

// StartBroker starts an embedded broker listening on addr ("host:port";
// port 0 picks a free one). It accepts every client: the devnet is local.
func StartBroker(addr string, logger *slog.Logger) (*Broker, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("embedded MQTT broker on %s: %w", addr, err)
	}
	bound := ln.Addr().String()
	ln.Close() // mochi opens its own listener on the same address
	srv := mqtt.New(&mqtt.Options{InlineClient: true, Logger: logger})
	if err := srv.AddHook(new(auth.AllowHook), nil); err != nil {
		return nil, fmt.Errorf("embedded MQTT broker: %w", err)
	}
	if err := srv.AddListener(listeners.NewTCP(listeners.Config{ID: "tcp", Address: bound})); err != nil {
		return nil, fmt.Errorf("embedded MQTT broker on %s: %w", bound, err)
	}
	if err := srv.Serve(); err != nil {
		return nil, fmt.Errorf("embedded MQTT broker on %s: %w", bound, err)
	}
	return &Broker{srv: srv, addr: bound}, nil
}

// URL is the broker's address for MQTT clients.
func (b *Broker) URL() string { return "tcp://" + b.addr }

// Close stops the broker.
func (b *Broker) Close() error { return b.srv.Close() }
