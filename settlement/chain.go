package settlement

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/settlement/internal/registry"
)

// chainParams are the metering module's parameters.
type chainParams tx.MeteringParams

func fetchParams(ctx context.Context, c *client.Client) (chainParams, error) {
	p, _, err := c.MeteringParams(ctx, client.ReadOpts{})
	if err != nil {
		return chainParams{}, err
	}
	if p == nil {
		return chainParams{}, fmt.Errorf("%w: metering params", client.ErrNotFound)
	}
	if p.IntervalSeconds == 0 {
		return chainParams(*p), errors.New("metering params: interval_seconds is 0")
	}
	return chainParams(*p), nil
}

// interval of a reading time (unix ms), as the chain computes it.
func (p chainParams) interval(timeMs int64) uint64 {
	if timeMs < 0 {
		return 0
	}
	return uint64(timeMs) / 1000 / p.IntervalSeconds
}

func (p chainParams) start(interval uint64) time.Time {
	return time.Unix(int64(interval*p.IntervalSeconds), 0)
}

// chainDevices reads the device registry through /devices/device.
type chainDevices struct{ c *client.Client }

var _ registry.Source = chainDevices{}

func (d chainDevices) Device(ctx context.Context, id string) (*registry.Device, error) {
	v, _, err := d.c.Device(ctx, id, client.ReadOpts{})
	if err == nil && v == nil {
		return nil, nil
	}
	var qe *client.QueryError
	if errors.As(err, &qe) && qe.Codespace != "" && qe.Codespace != tx.CodespaceApp {
		// The node refused the id itself (a bad query): no such device.
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up device %s: %w", id, err)
	}
	if len(v.PubKey) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("device %s: registry key is %d bytes", id, len(v.PubKey))
	}
	return registryDevice(v)
}

// registryDevice is what settlement keeps of a device record: its key
// history with the time each epoch ended, so a reading relayed late is
// checked against its own epoch's key as the chain does.
func registryDevice(v *tx.Device) (*registry.Device, error) {
	d := &registry.Device{ID: v.ID, Kind: v.Kind, Status: v.Status, KeyEpoch: v.KeyEpoch, PubKey: ed25519.PublicKey(v.PubKey)}
	for _, k := range v.Keys {
		if len(k.PubKey) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("device %s: registry key of epoch %d is %d bytes", v.ID, k.Epoch, len(k.PubKey))
		}
		d.Keys = append(d.Keys, registry.Key{Epoch: k.Epoch, PubKey: ed25519.PublicKey(k.PubKey), Until: k.ToTime})
	}
	return d, nil
}

// queryAnchor is interval's anchor; nil while it is not anchored.
func queryAnchor(ctx context.Context, c *client.Client, interval uint64) (*tx.Anchor, error) {
	a, _, err := c.Anchor(ctx, interval, client.ReadOpts{})
	return a, err
}

// anchorCache remembers which intervals are anchored on chain (for good)
// and which were not when last asked.
type anchorCache struct {
	mu       sync.Mutex
	anchored map[uint64]anchorEntry
}

// anchorEntry is what the chain said of an interval and when. "Anchored"
// never changes; "not anchored" may, as soon as another replica (or a
// transaction this replica sent before a restart) anchors it, so that
// answer is trusted only for notAnchoredTTL.
type anchorEntry struct {
	anchored bool
	at       time.Time
}

const notAnchoredTTL = time.Second

func newAnchorCache() *anchorCache { return &anchorCache{anchored: map[uint64]anchorEntry{}} }

func (a *anchorCache) get(i uint64) (anchored, known bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	e, ok := a.anchored[i]
	if ok && !e.anchored && time.Since(e.at) >= notAnchoredTTL {
		return false, false
	}
	return e.anchored, ok
}

func (a *anchorCache) set(i uint64, anchored bool) {
	a.mu.Lock()
	a.anchored[i] = anchorEntry{anchored: anchored, at: time.Now()}
	a.mu.Unlock()
}

// prune forgets intervals below i.
func (a *anchorCache) prune(i uint64) {
	a.mu.Lock()
	for k := range a.anchored {
		if k < i {
			delete(a.anchored, k)
		}
	}
	a.mu.Unlock()
}

// watchDevices drops registry entries of devices named in devices.* events
// (registered, revoked, key_rotated, transferred) as blocks commit them. If
// the event stream breaks, every entry is dropped and it resubscribes.
func (s *Service) watchDevices(ctx context.Context) {
	remote := s.chain.RPC().Remote()
	for ctx.Err() == nil {
		err := s.watchDevicesOnce(ctx, remote)
		s.reg.InvalidateAll()
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("device event stream ended; registry cache cleared, resubscribing", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(s.cfg.RetryMax):
		}
	}
}

func (s *Service) watchDevicesOnce(ctx context.Context, remote string) error {
	ws, err := rpchttp.New(remote, "/websocket")
	if err != nil {
		return err
	}
	if err := ws.Start(); err != nil {
		return fmt.Errorf("start websocket: %w", err)
	}
	defer func() { _ = ws.Stop() }()
	ch, err := ws.Subscribe(ctx, "settlement-"+s.cfg.ClientID, "tm.event='Tx'", 1000)
	if err != nil {
		return fmt.Errorf("subscribe to tx events: %w", err)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-ch:
			if !ok {
				return errors.New("subscription closed")
			}
			for key, ids := range ev.Events {
				if strings.HasPrefix(key, "devices.") && strings.HasSuffix(key, ".device") {
					for _, id := range ids {
						s.reg.Invalidate(id)
					}
				}
			}
		}
	}
}
