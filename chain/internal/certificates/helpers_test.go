package certificates_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"strconv"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/certificates"
	"github.com/citychain/citychain/chain/tx"
)

// The test city's parties: the certificate registrar, two issuing agencies
// (the Supreme Court's family register and the Ministry of the Interior's
// resident register) and their issuing keys (HSM keys, not account keys).
var (
	registrar = apptest.NewKey("cert-registrar")
	court     = apptest.NewKey("court")
	mois      = apptest.NewKey("mois")
	courtKey1 = apptest.NewKey("court-issuing-1").Pub
	courtKey2 = apptest.NewKey("court-issuing-2").Pub
	moisKey1  = apptest.NewKey("mois-issuing-1").Pub
)

// accounts are the demo accounts with the registrar and the agencies.
func accounts() []apptest.Account {
	return append(apptest.DemoAccounts(),
		apptest.Account{Key: registrar, Roles: []string{tx.RoleCertificateRegistrar}, Coins: []tx.Coin{apptest.SCN(10)}},
		apptest.Account{Key: court, Coins: []tx.Coin{apptest.SCN(10)}},
		apptest.Account{Key: mois, Coins: []tx.Coin{apptest.SCN(10)}},
	)
}

// appState is the genesis app state of accounts with section g as the
// certificates section (nil: none).
func appState(t testing.TB, g *certificates.Genesis) []byte {
	t.Helper()
	raw := apptest.MustJSON(t, apptest.BuildAppState(accounts(), nil))
	if g == nil {
		return raw
	}
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(raw, &sections); err != nil {
		t.Fatal(err)
	}
	sections["certificates"] = apptest.MustJSON(t, g)
	return apptest.MustJSON(t, sections)
}

// start starts a chain with the certificates section g (nil: none).
func start(t testing.TB, g *certificates.Genesis) *apptest.Harness {
	t.Helper()
	return apptest.New(t, apptest.Options{AppState: appState(t, g)})
}

// familyKind and residentKind are the test chain's two kinds.
func familyKind() *tx.MsgCertificateRegisterKind {
	return &tx.MsgCertificateRegisterKind{ID: "family_relation", Name: "가족관계증명서 (family relation certificate)", Agency: court.Addr,
		ValidityDays: 90, Fields: []string{"holder_name", "holder_rrn", "spouse_exists", "spouse_name", "children_count"}}
}

func residentKind() *tx.MsgCertificateRegisterKind {
	return &tx.MsgCertificateRegisterKind{ID: "resident_abstract", Name: "주민등록표 초본 (resident registration abstract)", Agency: mois.Addr,
		ValidityDays: 0, Fields: []string{"holder_name", "current_address"}}
}

// setup starts a chain (no genesis section), registers both kinds and
// adds courtKey1 and moisKey1.
func setup(t testing.TB) *apptest.Harness {
	t.Helper()
	h := start(t, nil)
	h.RunOK("register kinds", h.Sign(registrar, familyKind(), residentKind()))
	h.RunOK("court key", h.Sign(court, &tx.MsgCertificateAddKey{Key: courtKey1}))
	h.RunOK("mois key", h.Sign(mois, &tx.MsgCertificateAddKey{Key: moisKey1}))
	return h
}

// batch is a batch of n certificates: their leaves (the SHA-256 of each
// issuer-signed JWT; here of a label) and root.
type batch struct {
	leaves [][]byte
	root   tx.Hash32
}

func newBatch(label string, n int) batch {
	b := batch{leaves: make([][]byte, n)}
	for i := range b.leaves {
		d := sha256.Sum256(binary.BigEndian.AppendUint32([]byte(label), uint32(i)))
		b.leaves[i] = d[:]
	}
	b.root = tx.MerkleRoot(b.leaves)
	return b
}

func (b batch) leaf(i int) tx.Hash32 { return tx.Hash32(b.leaves[i]) }

// revoke is the revocation of b's certificate i in anchor.
func (b batch) revoke(anchor uint64, i int, reason string) *tx.MsgCertificateRevoke {
	return &tx.MsgCertificateRevoke{Anchor: anchor, Index: uint64(i), Leaf: b.leaf(i), Path: tx.MerklePath(b.leaves, i), Reason: reason}
}

// issue anchors b as kind with key, signed by agency, and returns the
// anchor id.
func issue(t testing.TB, h *apptest.Harness, agency apptest.Key, kind string, key tx.PubKey, b batch) uint64 {
	t.Helper()
	res := h.RunOK("issue "+kind, h.Sign(agency, &tx.MsgCertificateIssue{Kind: kind, Key: key, Root: b.root, Count: uint32(len(b.leaves))}))
	v, ok := apptest.Attr(res.Events, "certificates.issued", "id")
	id, err := strconv.ParseUint(v, 10, 64)
	if !ok || err != nil {
		t.Fatalf("issue: no anchor id in %v", res.Events)
	}
	return id
}

// get reads a provable record at the latest height; false when absent.
func get[T any](t testing.TB, h *apptest.Harness, path string, data string) (T, bool) {
	t.Helper()
	var v T
	res := h.Query(path, []byte(data), 0, false)
	if tx.CodeAppNotFound.Matches(res.Codespace, res.Code) {
		return v, false
	}
	if res.Code != 0 {
		t.Fatalf("query %s %s: %s/%d %s", path, data, res.Codespace, res.Code, res.Log)
	}
	if err := json.Unmarshal(res.Value, &v); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return v, true
}

func anchorOf(t testing.TB, h *apptest.Harness, id uint64) tx.CertificateAnchor {
	t.Helper()
	a, ok := get[tx.CertificateAnchor](t, h, "/certificates/anchor", strconv.FormatUint(id, 10))
	if !ok {
		t.Fatalf("anchor %d: absent", id)
	}
	return a
}

func keyOf(t testing.TB, h *apptest.Harness, k tx.PubKey) tx.AgencyKey {
	t.Helper()
	v, ok := get[tx.AgencyKey](t, h, "/certificates/key", k.String())
	if !ok {
		t.Fatalf("key %s: absent", k)
	}
	return v
}

func agencyOf(t testing.TB, h *apptest.Harness, a tx.Address) tx.Agency {
	t.Helper()
	v, ok := get[tx.Agency](t, h, "/certificates/agency", a.String())
	if !ok {
		t.Fatalf("agency %s: absent", a)
	}
	return v
}

func revocationOf(t testing.TB, h *apptest.Harness, leaf tx.Hash32) *tx.Revocation {
	t.Helper()
	v, ok := get[tx.Revocation](t, h, "/certificates/revocation", leaf.String())
	if !ok {
		return nil
	}
	return &v
}

func stats(t testing.TB, h *apptest.Harness) tx.CertificateStats {
	t.Helper()
	var s tx.CertificateStats
	h.QueryJSON(t, "/certificates/stats", nil, &s)
	return s
}

// verdict is the verdict on b's certificate i of anchor id from the
// chain's latest records, at the latest block's time.
func verdict(t testing.TB, h *apptest.Harness, id uint64, b batch, i int) (string, string) {
	t.Helper()
	a := anchorOf(t, h, id)
	if !tx.VerifyMerklePath(a.Root, b.leaves[i], uint64(i), uint64(a.Count), tx.MerklePath(b.leaves, i)) {
		t.Fatalf("certificate %d is not in anchor %d", i, id)
	}
	return tx.CertificateVerdict(a, keyOf(t, h, a.Key), agencyOf(t, h, a.Agency), revocationOf(t, h, b.leaf(i)), h.BlockTime(h.Height))
}

// invalid runs a message that fails ValidateBasic: CheckTx and
// FinalizeBlock reject it as tx/7 naming logHas, and its sequence is not
// used.
func invalid(t testing.TB, h *apptest.Harness, what string, k apptest.Key, m tx.Msg, logHas ...string) {
	t.Helper()
	seq := h.Seq(k)
	h.RunFail(what, h.Sign(k, m), tx.CodeTxInvalidMsg, logHas...)
	h.SetSeq(k, seq)
}

// hasEvent fails unless evs hold an event typ with the attributes kv.
func hasEvent(t testing.TB, evs []abci.Event, typ string, kv ...string) {
	t.Helper()
	if !apptest.HasEvent(evs, typ, kv...) {
		t.Errorf("no %s event with %v in %v", typ, kv, evs)
	}
}
