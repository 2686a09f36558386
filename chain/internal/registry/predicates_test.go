package registry_test

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
)

// credential is an issued SD-JWT's issuer JWT and its place in an anchor,
// with the holder's key.
type credential struct {
	jwt    string
	anchor uint64
	index  uint64
	path   []tx.Hash32
	holder apptest.Key
}

// issueBatch issues one credential of schema per holder with chain/sdjwt
// as the vet board, exp days after today (status index idx[i] in the
// board's revocation list), and anchors the batch's Merkle root (leaves:
// SHA-256 of each issuer JWT) through the credentials module.
func issueBatch(c *chain, schema string, holders []apptest.Key, idx []uint32, expDays int64, anchor uint64) []credential {
	c.t.Helper()
	iat := sdjwt.DayFloor(c.now)
	var out []credential
	var leaves [][]byte
	for i, h := range holders {
		p := sdjwt.Payload{Iss: vetBoard.Addr.String(), Vct: schema, Iat: iat, Exp: iat + expDays*sdjwt.Day,
			Cnf: sdjwt.Cnf{JWK: sdjwt.JWKOf(ed25519.PublicKey(h.Pub))}, Status: &sdjwt.Status{List: tx.StatusListID(vetBoard.Addr, "licences"), Idx: idx[i]}}
		is, err := sdjwt.Issue(vetBoard.Priv, p, []sdjwt.Claim{{Name: "licensed", Value: true}}, nil)
		if err != nil {
			c.t.Fatal(err)
		}
		leaf := is.Leaf()
		leaves = append(leaves, leaf[:])
		out = append(out, credential{jwt: is.JWT, anchor: anchor, index: uint64(i), holder: h})
	}
	root, paths := tx.MerklePaths(leaves)
	for i := range out {
		out[i].path = paths[i]
	}
	res := c.ok("anchor "+schema, vetBoard, &tx.MsgCredentialAnchor{Schema: schema, Root: root, Count: uint32(len(leaves))})
	if id, _ := apptest.Attr(res.Events, "credentials.anchored", "id"); id != fmt.Sprint(anchor) {
		c.t.Fatalf("anchor id %s, want %d", id, anchor)
	}
	return out
}

// evidence presents cr for transition tr of record id (at version 1) of
// name, sent by signer, signed by key (the holder's, or another).
func (cr credential) evidence(name string, id uint64, tr string, signer tx.Address, key apptest.Key) tx.RegistryEvidence {
	msg := tx.RegistryEvidenceMessage(apptest.ChainID, name, id, 1, tr, signer, cr.jwt)
	return tx.RegistryEvidence{JWT: cr.jwt, Anchor: cr.anchor, Index: cr.index, Path: cr.path, HolderSig: ed25519.Sign(key.Priv, msg)}
}

// TestPredicates (G5): vaccinations are certified only for a pet
// registered in pet_registration (a record predicate across registries)
// and by a vet presenting an unrevoked, unexpired licensed_vet credential
// issued with chain/sdjwt and anchored in the credentials module, signed
// by the credential's holder key for this very transition. Missing,
// foreign, revoked, expired, mis-pathed and other-schema evidence is
// refused, and the record stays where it was.
func TestPredicates(t *testing.T) {
	c := newChain(t, false)
	c.enable(district, petDef, false)
	c.enable(district, vaccinationDef, false)
	c.grant(district, "pet_registration", "vet", vet)
	c.grant(district, "vaccinations", "vet", vet)
	pet := c.create(vet, "pet_registration", petData("410000000000001", petOwner.Addr.String()))
	dead := c.create(vet, "pet_registration", petData("410000000000002", petOwner.Addr.String()))
	c.move(vet, "pet_registration", dead, "deceased", "")

	// The credentials side: two schemas, the vet board accredited for
	// both, its revocation list, and two anchored batches.
	c.ok("licensed_vet", accreditor, &tx.MsgCredentialRegisterSchema{ID: "licensed_vet", Name: "Licensed veterinarian", Claims: []string{"licensed"}})
	c.ok("dog_walker", accreditor, &tx.MsgCredentialRegisterSchema{ID: "dog_walker", Name: "Dog walker", Claims: []string{"licensed"}})
	for _, s := range []string{"licensed_vet", "dog_walker"} {
		c.ok("accredit", accreditor, &tx.MsgCredentialAccredit{Issuer: vetBoard.Addr, Schema: s, From: apptest.GenesisTime})
	}
	c.ok("list", vetBoard, &tx.MsgCredentialCreateList{Name: "licences", Purpose: tx.StatusRevocation, Size: tx.MinStatusListSize})
	wallet, wallet2, wallet3 := apptest.NewKey("vet-wallet"), apptest.NewKey("vet-wallet-2"), apptest.NewKey("vet-wallet-3")
	vets := issueBatch(c, "licensed_vet", []apptest.Key{wallet, wallet2}, []uint32{1, 2}, 365, 1)
	good, revoked := vets[0], vets[1]
	shortLived := issueBatch(c, "licensed_vet", []apptest.Key{wallet3}, []uint32{3}, 2, 2)[0]
	walker := issueBatch(c, "dog_walker", []apptest.Key{wallet}, []uint32{5}, 365, 3)[0]
	c.ok("revoke the second licence", vetBoard, &tx.MsgCredentialSetStatus{List: tx.StatusListID(vetBoard.Addr, "licences"), Indices: []uint32{2}, Value: true})

	vacc := func(petID uint64) uint64 {
		res := c.ok("record a vaccination", vet, &tx.MsgRegistryCreate{Registry: "vaccinations",
			Data:   json.RawMessage(fmt.Sprintf(`{"pet_id":%d,"vaccine":"Rabisin","date":"2025-03-02"}`, petID)),
			Digest: &tx.Hash32{7}, URI: fmt.Sprintf("https://vets.example/records/%d", petID)})
		id, _ := apptest.Attr(res.Events, "registry.created", "id")
		var n uint64
		json.Unmarshal([]byte(id), &n)
		return n
	}
	c.fail("a pointer-class record without its uri", vet, &tx.MsgRegistryCreate{Registry: "vaccinations",
		Data: json.RawMessage(`{"pet_id":1,"vaccine":"Rabisin","date":"2025-03-02"}`), Digest: &tx.Hash32{7}}, tx.CodeRegistryPrivacy, "uri")
	v1, v2, v3 := vacc(pet), vacc(99), vacc(dead)
	certify := func(id uint64, ev ...tx.RegistryEvidence) *tx.MsgRegistryTransition {
		return &tx.MsgRegistryTransition{Registry: "vaccinations", ID: id, Version: 1, Transition: "certify", Evidence: ev}
	}
	ev := func(cr credential, id uint64, key apptest.Key) tx.RegistryEvidence {
		return cr.evidence("vaccinations", id, "certify", vet.Addr, key)
	}
	c.fail("no such pet", vet, certify(v2, ev(good, v2, wallet)), tx.CodeRegistryPredicate, "pet_registration/99")
	c.fail("a deceased pet", vet, certify(v3, ev(good, v3, wallet)), tx.CodeRegistryPredicate, "deceased")
	c.fail("no evidence", vet, certify(v1), tx.CodeRegistryPredicate, "licensed_vet")
	c.fail("signed by another key than the holder's", vet, certify(v1, ev(good, v1, wallet2)), tx.CodeRegistryBadEvidence, "holder_sig")
	c.fail("evidence made for another record", vet, certify(v1, ev(good, v3, wallet)), tx.CodeRegistryBadEvidence, "holder_sig")
	moved := good
	moved.index = 1
	c.fail("a wrong Merkle index", vet, certify(v1, ev(moved, v1, wallet)), tx.CodeRegistryBadEvidence, "not leaf 1")
	moved = good
	moved.anchor = 9
	c.fail("an unknown anchor", vet, certify(v1, ev(moved, v1, wallet)), tx.CodeRegistryBadEvidence, "anchor 9")
	c.fail("a credential of another schema", vet, certify(v1, ev(walker, v1, wallet)), tx.CodeRegistryPredicate, `"dog_walker"`)
	c.fail("a revoked credential", vet, certify(v1, ev(revoked, v1, wallet2)), tx.CodeRegistryPredicate, "revoked")
	c.fail("evidence left over", vet, certify(v1, ev(good, v1, wallet), ev(good, v1, wallet)), tx.CodeRegistryBadEvidence, "evidence[1]")
	if rec := c.record("vaccinations", v1); rec.State != "recorded" || rec.Version != 1 {
		t.Fatalf("refused certifications moved the record: %+v", rec)
	}
	res := c.ok("certify", vet, certify(v1, ev(good, v1, wallet)))
	if !apptest.HasEvent(res.Events, "registry.transitioned", "to", "certified") {
		t.Fatalf("certify: %v", res.Events)
	}
	// A licence that expired (its exp, at block time) no longer counts.
	v4 := vacc(pet)
	c.jump(3 * 24 * time.Hour)
	c.block()
	c.fail("an expired credential", vet, certify(v4, ev(shortLived, v4, wallet3)), tx.CodeRegistryPredicate, "expired")
	c.ok("certify with the unexpired licence", vet, certify(v4, ev(good, v4, wallet)))
	c.fail("the registry is full", vet, &tx.MsgRegistryCreate{Registry: "vaccinations",
		Data: json.RawMessage(`{"pet_id":1,"vaccine":"Rabisin","date":"2025-03-03"}`), Digest: &tx.Hash32{7}, URI: "https://vets.example/5"},
		tx.CodeRegistryFull, "4 records")
	if n := c.count("vaccinations"); n.Records != 4 || n.States[1].Records != 2 {
		t.Fatalf("count: %+v", n)
	}
	c.h.ExportRoundTrip(t)
}
