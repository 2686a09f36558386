package voting_test

import (
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
)

// TestEligibility (residency schema "residency", claim resident_seoul):
// only a device key in use of an active identity presenting a genuine,
// unexpired, unrevoked residency credential that discloses
// resident_seoul = true, signed by its holder key for this very purpose,
// proposal and identity, proposes or supports. Every other case is
// refused with its code: no identity, a suspended identity or a removed
// device key (not eligible); no evidence, a revoked or expired
// credential, a false claim, another schema (not resident); a holder
// signature by another key or for another proposal or identity, a wrong
// Merkle path, a disclosure not in the credential's _sd or of another
// claim (bad evidence); a credential copy already shown by another
// identity for the same proposal (reused).
func TestEligibility(t *testing.T) {
	c := newChain(t, smallParams(true))
	people := citizens("resident", 8)
	c.register(people...)
	phone2 := apptest.NewKey("resident-0-phone-2")
	wallets := citizens("wallet", 8)
	yes := []bool{true, true, true, true, true, true, true, false}
	creds := c.issue(wallets, yes, 10, 365)
	short := c.issue([]apptest.Key{apptest.NewKey("wallet-short")}, []bool{true}, 30, 2)[0]
	stranger := apptest.Stranger

	// A proposal from people[0].
	c.fail("propose without evidence", people[0], proposeMsg(nil), tx.CodeVotingNotResident, "eligibility: none given")
	c.fail("propose with evidence for a support", people[0], proposeMsg(creds[0].el("support", 0, people[0].Addr)), tx.CodeVotingBadEvidence, "holder_sig")
	id := attrU64(t, c.ok("propose", people[0], proposeMsg(creds[0].el("propose", 0, people[0].Addr))), "voting.proposed", "proposal")
	sup := func(el *tx.VotingEligibility) *tx.MsgVotingSupport {
		return &tx.MsgVotingSupport{Proposal: id, Eligibility: el}
	}
	c.fail("an account that is no identity's device key", apptest.Alice, sup(creds[1].el("support", id, apptest.Alice.Addr)),
		tx.CodeVotingNotEligible, "not a device key of any identity")
	c.fail("no evidence", people[1], sup(nil), tx.CodeVotingNotResident, "none given")
	c.fail("signed by another key", people[1], sup(creds[1].eligibility("support", id, people[1].Addr, wallets[2])), tx.CodeVotingBadEvidence, "holder_sig")
	c.fail("made for another proposal", people[1], sup(creds[1].el("support", id+1, people[1].Addr)), tx.CodeVotingBadEvidence, "holder_sig")
	c.fail("made for another identity", people[1], sup(creds[1].el("support", id, people[2].Addr)), tx.CodeVotingBadEvidence, "holder_sig")
	moved := creds[1]
	moved.index = 2
	c.fail("a wrong Merkle index", people[1], sup(moved.el("support", id, people[1].Addr)), tx.CodeVotingBadEvidence, "not leaf 2")
	forged := creds[1].el("support", id, people[1].Addr)
	d, err := sdjwt.NewDisclosure(nil, "resident_seoul", true)
	if err != nil {
		t.Fatal(err)
	}
	forged.Disclosure = d.Raw
	c.fail("a forged disclosure", people[1], sup(forged), tx.CodeVotingBadEvidence, "not in the credential's _sd")
	other := creds[1].el("support", id, people[1].Addr)
	other.Disclosure = creds[1].other
	c.fail("the credential's disclosure of another claim", people[1], sup(other), tx.CodeVotingBadEvidence, `discloses "over_65"`)
	other.Disclosure = "not-base64url!"
	c.fail("a malformed disclosure", people[1], sup(other), tx.CodeVotingBadEvidence, "eligibility.disclosure")
	c.fail("the claim is false", people[7], sup(creds[7].el("support", id, people[7].Addr)), tx.CodeVotingNotResident, "want true")
	c.fail("another identity's credential copy", people[1], sup(creds[0].el("support", id, people[1].Addr)), tx.CodeVotingCredentialReused,
		people[0].Addr.String())
	c.ok("a resident supports", people[1], sup(creds[1].el("support", id, people[1].Addr)))

	// Revocation and expiry, at block time.
	c.revoke(creds[2])
	c.fail("a revoked credential", people[2], sup(creds[2].el("support", id, people[2].Addr)), tx.CodeVotingNotResident, "revoked")
	c.jump(3 * 24 * time.Hour)
	c.block()
	c.fail("an expired credential", people[3], sup(short.el("support", id, people[3].Addr)), tx.CodeVotingNotResident, "expired")

	// The identity's status and its device keys.
	c.ok("add a second phone", people[4], &tx.MsgIdentityAddDevice{ID: people[4].Addr, Key: phone2.Pub,
		PoP: ed25519Sign(phone2, tx.AddDevicePoPMessage(apptest.ChainID, people[4].Addr.String(), phone2.Pub))})
	c.ok("remove the first", phone2, &tx.MsgIdentityRemoveDevice{ID: people[4].Addr, Key: people[4].Pub})
	c.fail("a removed device key", people[4], sup(creds[4].el("support", id, people[4].Addr)), tx.CodeVotingNotEligible, "no longer a device key in use")
	c.ok("the identity's phone in use", phone2, sup(creds[4].el("support", id, people[4].Addr)))
	c.ok("suspend", office, &tx.MsgIdentitySuspend{ID: people[5].Addr, Reason: "card lost"})
	c.fail("a suspended identity", people[5], sup(creds[5].el("support", id, people[5].Addr)), tx.CodeVotingNotEligible, "suspended")
	c.fail("a key with no account", stranger, sup(nil), tx.CodeAuthUnknownAccount)

	if p := c.proposal(id); p.Supports != 3 {
		t.Fatalf("supports %d, want 3 (the proposer, people[1], people[4])", p.Supports)
	}
	c.h.ExportRoundTrip(t)
}
