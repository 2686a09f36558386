package registry_test

import (
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

// TestGrantsExpireAndDelegate (G4): a custom inspector role works until
// its grant expires at block time; a delegable grant is passed on (with an
// expiry no later than the granter's, at most MaxRegistryDelegation from
// the owner) and everything delegated from it stops when it is revoked.
func TestGrantsExpireAndDelegate(t *testing.T) {
	c := newChain(t, false)
	c.enable(district, petDef, false)
	c.grant(district, "pet_registration", "vet", vet)
	id := c.create(vet, "pet_registration", petData("410000000000001", petOwner.Addr.String()))
	const reg = "pet_registration"

	c.fail("an undeclared role", district, &tx.MsgRegistryGrant{Registry: reg, Role: "groomer", Grantee: inspector.Addr}, tx.CodeRegistryUnknownRole)
	c.fail("an expiry in the past", district, &tx.MsgRegistryGrant{Registry: reg, Role: "inspector", Grantee: inspector.Addr,
		Expires: c.now.Unix()}, tx.CodeRegistryBadExpiry)
	expires := c.now.Add(time.Hour).Unix()
	c.ok("an inspector for an hour", district, &tx.MsgRegistryGrant{Registry: reg, Role: "inspector", Grantee: inspector.Addr, Expires: expires})
	gr := c.raw("grant", tx.RegistryGrantRequest{Registry: reg, Role: "inspector", Grantee: inspector.Addr}, true)
	c.proven("grant", gr)
	c.move(inspector, reg, id, "inspect", `{"weight_kg":23,"tags":["friendly"]}`)
	if rec := c.record(reg, id); rec.Version != 2 {
		t.Fatalf("inspect: %+v", rec)
	}
	c.fail("an inspector may not transfer", inspector, c.moveMsg(reg, id, "transfer", `{"owner":"`+petOwner2.Addr.String()+`"}`), tx.CodeRegistryUnauthorized)
	c.jump(time.Hour)
	c.block() // CheckTx reads the last block's time: let it pass the expiry too
	c.fail("the inspector's grant expired", inspector, c.moveMsg(reg, id, "inspect", `{"weight_kg":24}`), tx.CodeRegistryUnauthorized)

	// Delegation: officer (delegable, from the owner) -> officer2 -> officer3.
	c.fail("a non-delegable grant passes nothing on", vet, &tx.MsgRegistryGrant{Registry: reg, Role: "vet", Grantee: officer.Addr,
		Expires: c.now.Add(time.Hour).Unix()}, tx.CodeRegistryNotGranter)
	c.ok("officer, delegable", district, &tx.MsgRegistryGrant{Registry: reg, Role: "district_officer", Grantee: officer.Addr, Delegable: true})
	c.fail("a delegated grant must expire", officer, &tx.MsgRegistryGrant{Registry: reg, Role: "district_officer", Grantee: officer2.Addr},
		tx.CodeRegistryBadExpiry)
	week := c.now.Add(7 * 24 * time.Hour).Unix()
	c.ok("officer delegates to officer2", officer, &tx.MsgRegistryGrant{Registry: reg, Role: "district_officer", Grantee: officer2.Addr,
		Expires: week, Delegable: true})
	c.fail("officer2 delegates beyond its own expiry", officer2, &tx.MsgRegistryGrant{Registry: reg, Role: "district_officer",
		Grantee: officer3.Addr, Expires: week + 1}, tx.CodeRegistryBadExpiry)
	c.ok("officer2 delegates to officer3", officer2, &tx.MsgRegistryGrant{Registry: reg, Role: "district_officer", Grantee: officer3.Addr,
		Expires: week, Delegable: true})
	g3 := query[tx.RegistryGrant](c, "grant", tx.RegistryGrantRequest{Registry: reg, Role: "district_officer", Grantee: officer3.Addr})
	if g3.Depth != 3 || g3.Granter != officer2.Addr {
		t.Fatalf("officer3's grant: %+v", g3)
	}
	c.ok("officer3 delegates to the vet", officer3, &tx.MsgRegistryGrant{Registry: reg, Role: "district_officer", Grantee: vet.Addr,
		Expires: week, Delegable: true})
	c.fail("a fifth link", vet, &tx.MsgRegistryGrant{Registry: reg, Role: "district_officer", Grantee: inspector.Addr, Expires: week},
		tx.CodeRegistryDelegationTooDeep)
	c.fail("officer2 replaces a grant it did not make", officer2, &tx.MsgRegistryGrant{Registry: reg, Role: "district_officer",
		Grantee: vet.Addr, Expires: week}, tx.CodeRegistryNotGranter)
	c.move(officer3, reg, id, "transfer", `{"owner":"`+petOwner2.Addr.String()+`"}`)
	page := query[tx.RegistryGrantPage](c, "grants", tx.RegistryPageRequest{Registry: reg, Limit: 2})
	all := len(page.Grants)
	for page.Next != "" {
		page = query[tx.RegistryGrantPage](c, "grants", tx.RegistryPageRequest{Registry: reg, After: page.Next, Limit: 2})
		all += len(page.Grants)
	}
	if all != 6 { // vet x2 roles, inspector, officer, officer2, officer3
		t.Fatalf("grants paged: %d, want 6", all)
	}

	// Revoking officer's grant stops officer2's, officer3's and the vet's
	// district_officer grants (the vet keeps its own vet grant).
	c.fail("officer3 revokes officer's grant", officer3, &tx.MsgRegistryRevoke{Registry: reg, Role: "district_officer", Grantee: officer.Addr},
		tx.CodeRegistryNotGranter)
	c.ok("the owner revokes officer", district, &tx.MsgRegistryRevoke{Registry: reg, Role: "district_officer", Grantee: officer.Addr})
	for _, k := range []apptest.Key{officer2, officer3} {
		c.fail(k.Name+" after the root's revocation", k, c.moveMsg(reg, id, "transfer", `{"owner":"`+petOwner.Addr.String()+`"}`),
			tx.CodeRegistryUnauthorized)
	}
	c.fail("the vet's delegated transfer", vet, c.moveMsg(reg, id, "transfer", `{"owner":"`+petOwner.Addr.String()+`"}`), tx.CodeRegistryUnauthorized)
	c.move(vet, reg, id, "report_lost", "") // its own vet grant still works
	// Re-granting the root revives the chain below it (effective at use).
	c.ok("officer again", district, &tx.MsgRegistryGrant{Registry: reg, Role: "district_officer", Grantee: officer.Addr, Delegable: true})
	c.move(officer3, reg, id, "found", "")
	// The delegated grants end with their own expiry.
	c.jump(8 * 24 * time.Hour)
	c.block()
	c.fail("officer3 after its expiry", officer3, c.moveMsg(reg, id, "report_lost", ""), tx.CodeRegistryUnauthorized)
	c.move(officer, reg, id, "report_lost", "")
	c.h.ExportRoundTrip(t)
}
