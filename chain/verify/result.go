package verify

import (
	"errors"
	"fmt"
)

// Reasons a check refuses, stable strings a reader or verifier may act on
// (and that tests and logs match). A refusal's Detail says, in words,
// which field or record was wrong.
const (
	// ReasonSnapshotTooOld: the source's state is older than its bound
	// (the offline snapshot, or a node that stopped making blocks).
	ReasonSnapshotTooOld = "snapshot_too_old"
	// ReasonMalformed: the response, presentation or envelope does not
	// parse or lacks a part.
	ReasonMalformed = "malformed"
	// ReasonBadSignature: the issuer signature, a disclosure digest or the
	// key-binding signature does not verify, the key binding is missing,
	// or the copies are not all held by one key.
	ReasonBadSignature = "bad_signature"
	// ReasonWrongReader: the key binding names another facility/reader or
	// verifier (a response replayed elsewhere).
	ReasonWrongReader = "wrong_reader"
	// ReasonReplayed: the nonce was already accepted, or is not the one
	// the reader issued.
	ReasonReplayed = "replayed"
	// ReasonExpiredResponse: the key binding (or the challenge) is more
	// than ResponseWindow from the reader's clock.
	ReasonExpiredResponse = "expired_response"
	// ReasonNotCard: the copy shown at the door is not a citizen card.
	ReasonNotCard = "not_card"
	// ReasonUnknownFacility: the facility is not registered.
	ReasonUnknownFacility = "unknown_facility"
	// ReasonTokenNotAccepted: a printed token (scope "token") at a
	// facility that does not accept tokens.
	ReasonTokenNotAccepted = "token_not_accepted"
	// ReasonNotAnchored: the copy's anchor does not exist, is another
	// issuer's or schema's, or its Merkle path does not lead to its root.
	ReasonNotAnchored = "not_anchored"
	// ReasonNotAccredited: the issuer was not accredited for the schema at
	// the anchor's block time.
	ReasonNotAccredited = "not_accredited"
	// ReasonBadStatus: the copy's status list does not exist, is not its
	// issuer's, or the index is outside it.
	ReasonBadStatus = "bad_status"
	// ReasonRevoked: the copy's bit is set in a revocation list (for a
	// certificate: its own revocation or its issuer's).
	ReasonRevoked = "revoked"
	// ReasonSuspended: the copy's bit is set in a suspension list (a
	// suspended or revoked identity's card).
	ReasonSuspended = "suspended"
	// ReasonExpired: the copy's exp (or the certificate anchor's expiry)
	// has passed.
	ReasonExpired = "expired"
	// ReasonBarred: the holder's pseudonym is barred from the facility.
	ReasonBarred = "barred"
	// ReasonClaimMissing: a claim the facility or the request requires is
	// not disclosed true by a credential of the same holder.
	ReasonClaimMissing = "claim_missing"
	// ReasonClaimNotRequested: a claim was disclosed that the request did
	// not ask for.
	ReasonClaimNotRequested = "claim_not_requested"
	// ReasonBadRequest: the verifier's request does not match its
	// registered record.
	ReasonBadRequest = "bad_request"
	// ReasonIssuerSuspended: the certificate's agency is suspended.
	ReasonIssuerSuspended = "issuer_suspended"
	// ReasonInvalidIssuer: the certificate's key and agency records do not
	// belong together with its anchor.
	ReasonInvalidIssuer = "invalid_issuer"
)

// Verdicts of a presentation or certificate check.
const (
	VerdictValid           = "valid"
	VerdictRevoked         = "revoked"
	VerdictSuspended       = "suspended"
	VerdictExpired         = "expired"
	VerdictNotAccredited   = "not_accredited"
	VerdictIssuerSuspended = "issuer_suspended"
	VerdictInvalid         = "invalid"
)

// verdictOf maps a refusal reason to a presentation verdict.
func verdictOf(reason string) string {
	switch reason {
	case "":
		return VerdictValid
	case ReasonRevoked, ReasonSuspended, ReasonExpired, ReasonNotAccredited, ReasonIssuerSuspended:
		return reason
	}
	return VerdictInvalid
}

// refusal is a check's negative answer: a stable reason and what was
// wrong. Errors that are not refusals are failures to read the chain.
type refusal struct {
	reason, detail string
}

func (r *refusal) Error() string { return r.reason + ": " + r.detail }

func refuse(reason, format string, args ...any) error {
	return &refusal{reason: reason, detail: fmt.Sprintf(format, args...)}
}

// asRefusal splits err into a refusal (reason, detail) or a read failure.
// A stale source is a refusal (snapshot_too_old).
func asRefusal(err error) (reason, detail string, failure error) {
	var r *refusal
	switch {
	case err == nil:
		return "", "", nil
	case errors.As(err, &r):
		return r.reason, r.detail, nil
	case errors.Is(err, ErrStale):
		return ReasonSnapshotTooOld, err.Error(), nil
	}
	return "", "", err
}
