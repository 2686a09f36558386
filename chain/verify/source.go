package verify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/citychain/citychain/chain/tx"
)

// Head is the chain state a Source reads: its chain id, height and block
// time. Every read of one check is of this one state.
type Head struct {
	ChainID string    `json:"chain_id"`
	Height  int64     `json:"height"`
	Time    time.Time `json:"time"`
}

// Source is the chain state a verifier reads. Each method reads one record
// at the source's head; a record that does not exist is nil (or false)
// with no error: absence is an answer (proven, for an Online source with a
// trust root). An error is a failure to read (a node that does not answer,
// a proof that does not verify, a snapshot that lacks what was asked): the
// check that needed the record cannot conclude.
type Source interface {
	// Head pins the state the following reads come from and says which it
	// is. now is the reader's clock: a source whose state is older than
	// its bound returns an error wrapping ErrStale.
	Head(ctx context.Context, now time.Time) (Head, error)

	// Accreditation is an issuer's window history for a schema.
	Accreditation(ctx context.Context, issuer tx.Address, schema string) (*tx.Accreditation, error)
	// CredentialAnchor is a credentials anchor by id.
	CredentialAnchor(ctx context.Context, id uint64) (*tx.CredentialAnchor, error)
	// StatusList is a status list's metadata (purpose, size).
	StatusList(ctx context.Context, list string) (*tx.StatusList, error)
	// StatusBit is bit idx of a list: true when set.
	StatusBit(ctx context.Context, list string, idx uint32) (bool, error)
	// Verifier is a registered verifier (relying party).
	Verifier(ctx context.Context, id string) (*tx.Verifier, error)

	// CertificateAnchor is a certificates anchor by id.
	CertificateAnchor(ctx context.Context, id uint64) (*tx.CertificateAnchor, error)
	// Agency is an issuing agency's record.
	Agency(ctx context.Context, addr tx.Address) (*tx.Agency, error)
	// AgencyKey is an agency key's record.
	AgencyKey(ctx context.Context, key tx.PubKey) (*tx.AgencyKey, error)
	// Revocation is a certificate's own revocation entry, by leaf.
	Revocation(ctx context.Context, leaf tx.Hash32) (*tx.Revocation, error)

	// Facility is a facility's record (its policy).
	Facility(ctx context.Context, id string) (*tx.Facility, error)
	// Bar is the bar of a pseudonym at a facility (active or lapsed).
	Bar(ctx context.Context, facility string, pseudonym tx.Hash32) (*tx.Bar, error)
}

var (
	// ErrStale reports a source whose state is older than its bound
	// measured against the reader's clock (a snapshot fetched too long
	// ago, a node that stopped making blocks).
	ErrStale = errors.New("state too old")
	// ErrNotInSnapshot reports a read a snapshot cannot answer: it was not
	// fetched with what the check needs.
	ErrNotInSnapshot = errors.New("not in the snapshot")
)

// StaleError is the error of a source older than its bound.
type StaleError struct {
	Head   Head
	Now    time.Time
	MaxAge time.Duration
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("%v: state of chain %s at height %d is from %s, %s before the reader's clock %s; the bound is %s",
		ErrStale, e.Head.ChainID, e.Head.Height, e.Head.Time.UTC().Format(time.RFC3339), e.Now.Sub(e.Head.Time).Round(time.Second),
		e.Now.UTC().Format(time.RFC3339), e.MaxAge)
}

func (e *StaleError) Unwrap() error { return ErrStale }

// checkAge is a StaleError when maxAge > 0 and h is older than maxAge at
// now.
func checkAge(h Head, now time.Time, maxAge time.Duration) error {
	if maxAge > 0 && now.Sub(h.Time) > maxAge {
		return &StaleError{Head: h, Now: now, MaxAge: maxAge}
	}
	return nil
}
