// Package state persists the per-device signing state of the edge agent:
// the last sequence number used, the last cumulative value signed and the
// acc32 wrap carry. Each device has one small JSON file, replaced
// atomically (fsync + rename + directory fsync). The agent saves the new
// state BEFORE it signs a reading with the new sequence number, so a crash
// can skip a number but never reuse one.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/citychain/citychain/edge/internal/atomicfile"
	"github.com/citychain/citychain/edge/internal/register"
	"github.com/citychain/citychain/edge/reading"
)

// Device is the persisted state of one device.
type Device struct {
	Seq   uint64              `json:"seq"`   // last sequence number used; 0 = none yet
	Value uint64              `json:"value"` // last cumulative value signed
	Acc   register.Acc32State `json:"acc32"` // acc32 wrap tracking
}

// Store keeps one file per device in a directory.
type Store struct {
	dir string
}

// Open creates dir (mode 0700) if needed and removes temporary files left
// by a crash.
func Open(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("state dir: empty")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state dir %s: %w", dir, err)
	}
	tmps, _ := filepath.Glob(filepath.Join(dir, ".*"+atomicfile.TempSuffix))
	for _, t := range tmps {
		os.Remove(t)
	}
	return &Store{dir: dir}, nil
}

func (s *Store) path(device string) (string, error) {
	if err := reading.ValidateDeviceID(device); err != nil {
		return "", err
	}
	return filepath.Join(s.dir, "device-"+device+".json"), nil
}

// Load returns the saved state of a device, or the zero state if it has
// none.
func (s *Store) Load(device string) (Device, error) {
	p, err := s.path(device)
	if err != nil {
		return Device{}, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return Device{}, nil
	}
	if err != nil {
		return Device{}, fmt.Errorf("load state of %s: %w", device, err)
	}
	var d Device
	if err := json.Unmarshal(b, &d); err != nil {
		return Device{}, fmt.Errorf("load state of %s from %s: %w", device, p, err)
	}
	return d, nil
}

// Save durably replaces the state of a device.
func (s *Store) Save(device string, d Device) error {
	p, err := s.path(device)
	if err != nil {
		return err
	}
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("save state of %s: %w", device, err)
	}
	if err := atomicfile.Write(p, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("save state of %s: %w", device, err)
	}
	return nil
}
