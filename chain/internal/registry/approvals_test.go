package registry_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

// filing is a trust filing's data with trustee k.
func filing(name string, k apptest.Key) string {
	return `{"trust_name":"` + name + `","purpose":"scholarship","trustee":"` + k.Addr.String() + `","amount_krw":500000000,"filed":"2025-03-01"}`
}

// fileTrust creates a trust filing as the applicant (a hash-class
// registry: with the filing document's digest).
func fileTrust(c *chain, name string) uint64 {
	c.t.Helper()
	res := c.ok("file "+name, petOwner, &tx.MsgRegistryCreate{Registry: "trust_filings", Data: json.RawMessage(filing(name, petOwner)),
		Digest: &tx.Hash32{0xd0, 0xc5}})
	id, _ := apptest.Attr(res.Events, "registry.created", "id")
	var n uint64
	json.Unmarshal([]byte(id), &n)
	return n
}

func trustChain(t *testing.T) *chain {
	c := newChain(t, false)
	c.enable(ministry, trustDef, false)
	c.grant(ministry, "trust_filings", "applicant", petOwner)
	for _, k := range []apptest.Key{officer, officer2, officer3} {
		c.grant(ministry, "trust_filings", "moj_officer", k)
	}
	return c
}

// TestApprovals (G5): authorise needs two of the three MOJ officers: the
// first approval is stored (and answered by the approvals query), the
// same officer twice is refused, an approval naming a stale version is
// refused, the second runs the transition with both signers (sorted) in
// the history; a transition of the record drops the pending approvals.
func TestApprovals(t *testing.T) {
	c := trustChain(t)
	const reg = "trust_filings"
	c.fail("a hash-class record without its digest", petOwner, &tx.MsgRegistryCreate{Registry: reg, Data: json.RawMessage(filing("x", petOwner))},
		tx.CodeRegistryPrivacy, "digest")
	id := fileTrust(c, "Hangang Scholarship Trust")

	res := c.move(officer2, reg, id, "authorise", "")
	if !apptest.HasEvent(res.Events, "registry.approved", "approvals", "1", "needed", "2", "signer", officer2.Addr.String()) ||
		apptest.HasEvent(res.Events, "registry.transitioned") {
		t.Fatalf("first approval: %v", res.Events)
	}
	if rec := c.record(reg, id); rec.State != "applied" || rec.Version != 1 {
		t.Fatalf("after one approval: %+v", rec)
	}
	aps := c.approvals(reg, id)
	if len(aps) != 1 || !slices.Equal(aps[0].Signers, []tx.Address{officer2.Addr}) || aps[0].Needed != 2 || aps[0].Version != 1 {
		t.Fatalf("approvals: %+v", aps)
	}
	c.fail("the same officer twice", officer2, c.moveMsg(reg, id, "authorise", ""), tx.CodeRegistryAlreadyApproved)
	stale := c.moveMsg(reg, id, "authorise", "")
	stale.Version = 2
	c.fail("a version the record is not at", officer, stale, tx.CodeRegistryStaleVersion)
	c.fail("the applicant approves", petOwner, c.moveMsg(reg, id, "authorise", ""), tx.CodeRegistryUnauthorized)
	res = c.move(officer, reg, id, "authorise", "")
	if !apptest.HasEvent(res.Events, "registry.transitioned", "transition", "authorise", "from", "applied", "to", "authorised", "version", "2") {
		t.Fatalf("second approval: %v", res.Events)
	}
	want := []tx.Address{officer.Addr, officer2.Addr}
	slices.SortFunc(want, func(a, b tx.Address) int { return bytes.Compare(a[:], b[:]) })
	h := c.history(reg, id)
	if len(h) != 2 || !slices.Equal(h[1].Signers, want) || h[1].Transition != "authorise" {
		t.Fatalf("history: %+v", h)
	}
	if aps := c.approvals(reg, id); len(aps) != 0 {
		t.Fatalf("approvals left after the transition: %+v", aps)
	}

	// A pending approval dies with the version it named: one officer
	// approves authorise, another refuses the filing (k = 1).
	id2 := fileTrust(c, "Second Trust")
	c.move(officer, reg, id2, "authorise", "")
	c.move(officer3, reg, id2, "refuse", "")
	if aps := c.approvals(reg, id2); len(aps) != 0 {
		t.Fatalf("approvals of a moved record: %+v", aps)
	}
	c.fail("authorise a refused filing", officer2, c.moveMsg(reg, id2, "authorise", ""), tx.CodeRegistryWrongState)

	// An approval stops counting when its signer's grant is revoked.
	id3 := fileTrust(c, "Third Trust")
	c.move(officer, reg, id3, "authorise", "")
	c.ok("revoke officer", ministry, &tx.MsgRegistryRevoke{Registry: reg, Role: "moj_officer", Grantee: officer.Addr})
	res = c.move(officer2, reg, id3, "authorise", "")
	if !apptest.HasEvent(res.Events, "registry.approved", "approvals", "1") {
		t.Fatalf("approval after the first approver lost its role: %v", res.Events)
	}
	c.move(officer3, reg, id3, "authorise", "")
	if rec := c.record(reg, id3); rec.State != "authorised" {
		t.Fatalf("third filing: %+v", rec)
	}
	c.h.ExportRoundTrip(t)
}

// TestDeadline (G5): a filing left undecided 90 days becomes
// decision_overdue in the end-of-block work of the first block at or
// after its deadline, with no transaction: a history step "deadline"
// without signers and event registry.deadline. A filing decided in time
// is not touched, and the overdue one can still be authorised.
func TestDeadline(t *testing.T) {
	c := trustChain(t)
	const reg = "trust_filings"
	late := fileTrust(c, "Late Trust")
	filed := c.now
	decided := fileTrust(c, "Decided Trust")
	c.move(officer3, reg, decided, "refuse", "")
	c.jump(90*24*time.Hour - 30*time.Second) // the next block is 15 s before the deadline
	if res := c.block(); apptest.HasEvent(res.Events, "registry.deadline") {
		t.Fatalf("deadline fired early at %s: %v", c.now, res.Events)
	}
	if rec := c.record(reg, late); rec.State != "applied" {
		t.Fatalf("before the deadline: %+v", rec)
	}
	var res = c.block() // due = filed + 90 days: this block's time is past it
	for c.now.Before(filed.Add(90 * 24 * time.Hour)) {
		res = c.block()
	}
	if !apptest.HasEvent(res.Events, "registry.deadline", "registry", reg, "id", "1", "from", "applied", "to", "decision_overdue", "version", "2") {
		t.Fatalf("no deadline event at %s (filed %s): %v", c.now, filed, res.Events)
	}
	rec := c.record(reg, late)
	if rec.State != "decision_overdue" || rec.Version != 2 || !rec.StateSince.Equal(c.now) {
		t.Fatalf("after the deadline: %+v", rec)
	}
	h := c.history(reg, late)
	if len(h) != 2 || h[1].Transition != "deadline" || len(h[1].Signers) != 0 || h[1].From != "applied" {
		t.Fatalf("history: %+v", h)
	}
	if c.tally(reg, "decision_overdue") != 1 || c.tally(reg, "applied") != 0 || c.tally(reg, "refused") != 1 {
		t.Fatalf("count: %+v", c.count(reg))
	}
	if rec := c.record(reg, decided); rec.State != "refused" || rec.Version != 2 {
		t.Fatalf("the decided filing moved: %+v", rec)
	}
	c.move(officer, reg, late, "authorise", "")
	c.move(officer2, reg, late, "authorise", "")
	if rec := c.record(reg, late); rec.State != "authorised" {
		t.Fatalf("authorised overdue: %+v", rec)
	}
	c.h.ExportRoundTrip(t)
}
