package registry_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/regschema"
	"github.com/citychain/citychain/chain/tx"
)

// TestPetRegistration (G1): a district office defines pet registration as
// data; it is a proposal (provable) until two of the three authorities
// enable it; the owner grants its roles; a vet registers a dog, the
// district transfers it to a new owner (a patch); the record, its history,
// the counts, the schema and the owner index answer, with proofs.
func TestPetRegistration(t *testing.T) {
	c := newChain(t, true)
	id := c.propose(district, petDef)
	pr := c.raw("proposal", map[string]string{"id": id.String()}, true)
	c.proven("proposal", pr)
	var p tx.RegistryProposal
	if err := json.Unmarshal(pr.Value, &p); err != nil || p.Proposer != district.Addr || p.Def.Name != "pet_registration" {
		t.Fatalf("proposal: %v %+v", err, p)
	}
	absent := c.raw("registry", tx.RegistryRequest{Name: "pet_registration"}, true)
	apptest.RequireCode(t, "registry before enabling", absent, tx.CodeAppNotFound)
	c.proven("registry absent", absent)

	// One authority is a proposal of the auth module; the second runs it.
	enable := &tx.MsgRegistryEnable{Name: "pet_registration", Def: id}
	res := c.ok("first authority", apptest.Authority, enable)
	if !apptest.HasEvent(res.Events, "auth.proposal_created") || apptest.HasEvent(res.Events, "registry.enabled") {
		t.Fatalf("first approval: events %v", res.Events)
	}
	c.fail("an agency enables", district, enable, tx.CodeRegistryNotAuthority)
	pid, err := tx.ProposalIDOf(enable)
	if err != nil {
		t.Fatal(err)
	}
	res = c.ok("second authority", authority2, &tx.MsgProposalApprove{ID: pid})
	if !apptest.HasEvent(res.Events, "registry.enabled", "registry", "pet_registration", "version", "1.0", "owner", district.Addr.String()) {
		t.Fatalf("enable: events %v", res.Events)
	}
	rr := c.raw("registry", tx.RegistryRequest{Name: "pet_registration"}, true)
	c.proven("registry", rr)
	r := c.registry("pet_registration")
	s, err := regschema.Compile(r.Def.Schema)
	if err != nil {
		t.Fatal(err)
	}
	if r.Owner != district.Addr || r.DefID != id || r.SchemaID != s.ID() || len(r.Versions) != 1 {
		t.Fatalf("registry: %+v", r)
	}
	if res := c.raw("proposal", map[string]string{"id": id.String()}, false); !tx.CodeAppNotFound.Matches(res.Codespace, res.Code) {
		t.Errorf("the enabled proposal is still pending: %s", res.Value)
	}
	sr := c.raw("schema", map[string]string{"id": r.SchemaID}, true)
	c.proven("schema", sr)
	if string(sr.Value) != string(s.Canonical()) {
		t.Fatalf("schema: %s, want %s", sr.Value, s.Canonical())
	}

	c.grant(district, "pet_registration", "vet", vet)
	c.grant(district, "pet_registration", "district_officer", officer)
	c.fail("a stranger creates", petOwner, &tx.MsgRegistryCreate{Registry: "pet_registration", Data: json.RawMessage(petData("410000000000001", petOwner.Addr.String()))},
		tx.CodeRegistryUnauthorized)
	c.fail("the owner holds no role implicitly", district, &tx.MsgRegistryCreate{Registry: "pet_registration",
		Data: json.RawMessage(petData("410000000000001", petOwner.Addr.String()))}, tx.CodeRegistryUnauthorized)

	// Key order and spacing do not matter: the record is kept canonical.
	rec := c.create(vet, "pet_registration", `{ "owner": "`+petOwner.Addr.String()+`", "species": "dog", "name": "Bori <진돗개>",
		"microchip_id": "410000000000001", "district": "mapo" }`)
	if rec != 1 {
		t.Fatalf("first record id %d", rec)
	}
	got := c.record("pet_registration", 1)
	want := `{"district":"mapo","microchip_id":"410000000000001","name":"Bori <진돗개>","owner":"` + petOwner.Addr.String() + `","species":"dog"}`
	if string(got.Data) != want || got.State != "registered" || got.Version != 1 || got.Schema != r.SchemaID || got.Creator != vet.Addr {
		t.Fatalf("record: %+v\ndata %s\nwant %s", got, got.Data, want)
	}
	c.proven("record", c.raw("record", tx.RegistryRecordRequest{Registry: "pet_registration", ID: 1}, true))
	c.proven("no record 2", c.raw("record", tx.RegistryRecordRequest{Registry: "pet_registration", ID: 2}, true))

	c.fail("a vet may not transfer", vet, c.moveMsg("pet_registration", 1, "transfer", `{"owner":"`+petOwner2.Addr.String()+`"}`),
		tx.CodeRegistryUnauthorized)
	c.fail("transfer patching the name", officer, c.moveMsg("pet_registration", 1, "transfer", `{"name":"Bobo"}`), tx.CodeRegistryBadPatch, `"name"`)
	c.fail("transfer to a bad address", officer, c.moveMsg("pet_registration", 1, "transfer", `{"owner":"alice"}`), tx.CodeRegistryInvalidRecord, "/owner")
	res = c.move(officer, "pet_registration", 1, "transfer", `{"owner":"`+petOwner2.Addr.String()+`"}`)
	if !apptest.HasEvent(res.Events, "registry.transitioned", "registry", "pet_registration", "id", "1", "transition", "transfer",
		"from", "registered", "to", "registered", "version", "2") {
		t.Fatalf("transfer events: %v", res.Events)
	}
	got = c.record("pet_registration", 1)
	var data map[string]string
	if err := json.Unmarshal(got.Data, &data); err != nil || data["owner"] != petOwner2.Addr.String() || got.Version != 2 {
		t.Fatalf("after transfer: %+v", got)
	}
	h := c.history("pet_registration", 1)
	if len(h) != 2 || h[0].Transition != "create" || h[0].To != "registered" || !slices.Equal(h[0].Signers, []tx.Address{vet.Addr}) ||
		h[1].Transition != "transfer" || h[1].From != "registered" || !slices.Equal(h[1].Signers, []tx.Address{officer.Addr}) || h[1].Version != 2 {
		t.Fatalf("history: %+v", h)
	}
	if n := c.count("pet_registration"); n.Records != 1 || len(n.States) != 5 || n.States[0] != (tx.RegistryTally{State: "registered", Records: 1}) {
		t.Fatalf("count: %+v", n)
	}
	// The owner index followed the transfer.
	for _, o := range []struct {
		owner apptest.Key
		ids   []uint64
	}{{petOwner, []uint64{}}, {petOwner2, []uint64{1}}} {
		page := query[tx.RegistryIDPage](c, "index", tx.RegistryIndexRequest{Registry: "pet_registration", Field: "owner", Value: o.owner.Addr.String()})
		if !slices.Equal(page.IDs, o.ids) {
			t.Errorf("owner %s: ids %v, want %v", o.owner.Name, page.IDs, o.ids)
		}
	}
	c.move(vet, "pet_registration", 1, "report_lost", "")
	c.move(officer, "pet_registration", 1, "found", "")
	if got := c.record("pet_registration", 1); got.State != "registered" || got.Version != 4 {
		t.Fatalf("after lost and found: %+v", got)
	}
	c.fail("a final state is final", officer, c.moveMsg("pet_registration", 1, "found", ""), tx.CodeRegistryWrongState)
	c.fail("an unknown transition", officer, c.moveMsg("pet_registration", 1, "adopt", ""), tx.CodeRegistryUnknownTrans)
	c.fail("an unknown record", officer, &tx.MsgRegistryTransition{Registry: "pet_registration", ID: 9, Version: 1, Transition: "found"}, tx.CodeRegistryUnknownRecord)
	c.fail("an unknown registry", officer, &tx.MsgRegistryTransition{Registry: "cats", ID: 1, Version: 1, Transition: "found"}, tx.CodeRegistryUnknown)
	c.h.ExportRoundTrip(t)
}
