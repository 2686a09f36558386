// Package votes is the client side of the voting module's elections: the
// secrets each role keeps between its transactions (a voter's ballot key
// and blinding state, a trustee's DKG secret and received shares, the
// commission's blind RSA keys) as JSON state files, and the messages each
// role sends, built from them and from chain data (chain/tx answers). It
// does no network I/O: the CLI (cmd/citychain vote), the devnet story and
// the simulation read the chain and send the messages.
//
// A state file is written (Save, atomically, mode 0600) before the message
// built from it is sent, so a crash never loses a secret the chain already
// depends on (a blinded request, a dealt polynomial).
package votes

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/citychain/citychain/chain/tx"
	"github.com/citychain/citychain/edge/atomicfile"
)

// maxStateFile bounds what Load reads.
const maxStateFile = 16 << 20

// Save writes v as indented JSON to path atomically (temporary file,
// fsync, rename), mode 0600, creating path's folder (0700) if needed.
func Save(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("state %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("state %s: %w", path, err)
	}
	return atomicfile.Write(path, append(b, '\n'), 0o600)
}

// Load reads the JSON state file path into v, refusing unknown fields and
// trailing data. A missing file is an error wrapping os.ErrNotExist.
func Load(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("state %s: %w", path, err)
	}
	if fi.Size() > maxStateFile {
		return fmt.Errorf("state %s: %d bytes, at most %d", path, fi.Size(), maxStateFile)
	}
	b := make([]byte, fi.Size())
	if _, err := f.ReadAt(b, 0); err != nil && fi.Size() > 0 {
		return fmt.Errorf("state %s: %w", path, err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("state %s: %w", path, err)
	}
	if d.More() {
		return fmt.Errorf("state %s: data after the JSON value", path)
	}
	return nil
}

// Exists reports whether path exists (a state file already written).
func Exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// VoterFile is the voter's state file of identity in election under dir:
// voter-<election>-<identity>.json.
func VoterFile(dir string, election uint64, identity tx.Address) string {
	return filepath.Join(dir, "voter-"+strconv.FormatUint(election, 10)+"-"+identity.String()+".json")
}

// TrusteeFile is trustee index's state file of election under dir:
// trustee-<election>-<index>.json.
func TrusteeFile(dir string, election uint64, index uint32) string {
	return filepath.Join(dir, "trustee-"+strconv.FormatUint(election, 10)+"-"+strconv.FormatUint(uint64(index), 10)+".json")
}

// CommissionFile is the commission's key file named name (an election id
// or a draft's name) under dir: commission-<name>.json.
func CommissionFile(dir, name string) string {
	return filepath.Join(dir, "commission-"+name+".json")
}

// classKey is the credential key of weight in e's classes.
func classKey(e *tx.VoteElection, weight uint64) (tx.HexBytes, error) {
	for _, c := range e.Classes {
		if c.Weight == weight {
			return c.Key, nil
		}
	}
	ws := make([]uint64, len(e.Classes))
	for i, c := range e.Classes {
		ws[i] = c.Weight
	}
	return nil, fmt.Errorf("weight %d: election %d has credential keys for weights %v only", weight, e.ID, ws)
}

// errNoElection guards the functions taking an election.
var errNoElection = errors.New("election: nil")
