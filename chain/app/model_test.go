package app_test

import (
	"crypto/ed25519"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

// This file is a reference model of the chain's state machine and a seeded
// generator of blocks of signed transactions (valid and invalid ones), used
// by the simulation, the determinism and the restart tests. The model
// predicts every transaction's result code; the tests compare.

const denomUnknown = "uxyz" // well-formed, not a denomination of the chain

var (
	simUsers     = keysNamed("user", 4)
	simReceivers = keysNamed("receiver", 2) // never funded at genesis
	simDevKeys   = keysNamed("devkey", 8)
	simDeviceIDs = []string{"g0", "d0", "d1", "d2", "d3", "d4"}
	simRoles     = []string{tx.RoleInstaller, tx.IssuerRole(tx.DenomSCoin), tx.IssuerRole(tx.DenomKRW), tx.RoleTreasury, tx.IssuerRole(denomUnknown)}
	simDenoms    = []string{tx.DenomKRW, tx.DenomSCoin}
)

func keysNamed(prefix string, n int) []apptest.Key {
	out := make([]apptest.Key, n)
	for i := range out {
		out[i] = apptest.NewKey(fmt.Sprintf("%s-%d", prefix, i))
	}
	return out
}

// simAccounts are the genesis accounts of a simulation.
func simAccounts() []apptest.Account {
	accts := apptest.DemoAccounts()
	for _, u := range simUsers {
		accts = append(accts, apptest.Account{Key: u, Coins: []tx.Coin{apptest.SCN(100), apptest.KRW(100)}})
	}
	return accts
}

func simGenesisDevices() []tx.MsgDeviceRegister {
	return []tx.MsgDeviceRegister{{ID: "g0", Kind: tx.KindEVOdometer, Owner: simUsers[0].Addr, PubKey: simDevKeys[0].Pub,
		Metadata: tx.DeviceMetadata{VIN: "KMHXX00XXXX000001"}}}
}

// simSigners are the keys that sign: every genesis account, the receivers
// (who have no account until funded) and the stranger (never funded).
func simSigners() []apptest.Key {
	var out []apptest.Key
	for _, a := range simAccounts() {
		out = append(out, a.Key)
	}
	return append(append(out, simReceivers...), apptest.Stranger)
}

// simAddresses are every address the generator ever names.
func simAddresses() []tx.Address {
	var out []tx.Address
	for _, k := range simSigners() {
		out = append(out, k.Addr)
	}
	return out
}

type balKey struct {
	addr  tx.Address
	denom string
}

type roleKey struct {
	addr tx.Address
	role string
}

type mdev struct {
	owner     tx.Address
	installer tx.Address // installer of record; zero: none
	revoked   bool
	keys      [][]byte
}

// model is the expected state.
type model struct {
	bal       map[balKey]uint64
	supply    map[string]uint64
	seq       map[tx.Address]uint64 // accounts that exist, with their next sequence
	roles     map[roleKey]bool
	authority map[tx.Address]bool
	devs      map[string]*mdev
}

func newModel(accts []apptest.Account, devs []tx.MsgDeviceRegister) *model {
	m := &model{bal: map[balKey]uint64{}, supply: map[string]uint64{}, seq: map[tx.Address]uint64{},
		roles: map[roleKey]bool{}, authority: map[tx.Address]bool{}, devs: map[string]*mdev{}}
	for _, d := range simDenoms {
		m.supply[d] = 0
	}
	for _, a := range accts {
		m.seq[a.Key.Addr] = 0
		if a.Authority {
			m.authority[a.Key.Addr] = true
		}
		for _, r := range a.Roles {
			m.roles[roleKey{a.Key.Addr, r}] = true
		}
		for _, c := range a.Coins {
			m.bal[balKey{a.Key.Addr, c.Denom}] += c.Amount
			m.supply[c.Denom] += c.Amount
		}
	}
	// The genesis devices' installer of record is the first installer
	// account (app.AppState.AddAccount).
	var installer tx.Address
	for _, a := range accts {
		if slices.Contains(a.Roles, tx.RoleInstaller) {
			installer = a.Key.Addr
			break
		}
	}
	for _, d := range devs {
		m.devs[d.ID] = &mdev{owner: d.Owner, installer: installer, keys: [][]byte{d.PubKey}}
		m.seq[d.Owner] += 0
	}
	return m
}

func (m *model) clone() *model {
	c := &model{bal: maps.Clone(m.bal), supply: maps.Clone(m.supply), seq: maps.Clone(m.seq),
		roles: maps.Clone(m.roles), authority: maps.Clone(m.authority), devs: make(map[string]*mdev, len(m.devs))}
	for id, d := range m.devs {
		c.devs[id] = &mdev{owner: d.owner, installer: d.installer, revoked: d.revoked, keys: slices.Clone(d.keys)}
	}
	return c
}

func (m *model) ensure(a tx.Address) {
	if _, ok := m.seq[a]; !ok {
		m.seq[a] = 0
	}
}

// outcome is a predicted transaction result.
type outcome struct {
	dropped bool // not in the block: PrepareProposal drops it
	// unregistered: dropped because the signer has no account in the last
	// committed state (it may exist in the mempool's view).
	unregistered bool
	codespace    string
	code         uint32
	// anteOK: the signature, chain id and sequence were good, so the
	// sequence was consumed.
	anteOK bool
}

func (o outcome) String() string {
	if o.dropped {
		return "dropped"
	}
	return fmt.Sprintf("%s/%d", o.codespace, o.code)
}

func fail(c tx.Code) *outcome { return &outcome{codespace: c.Codespace, code: c.Code} }

// apply runs one message on m, or returns its failure.
func (m *model) apply(signer tx.Address, msg tx.Msg) *outcome {
	known := func(d string) bool { _, ok := m.supply[d]; return ok }
	switch x := msg.(type) {
	case *tx.MsgSend:
		switch {
		case !known(x.Amount.Denom):
			return fail(tx.CodeBankUnknownDenom)
		case signer == x.To:
			return fail(tx.CodeBankSelfSend)
		case m.bal[balKey{signer, x.Amount.Denom}] < x.Amount.Amount:
			return fail(tx.CodeBankInsufficientFunds)
		}
		m.bal[balKey{signer, x.Amount.Denom}] -= x.Amount.Amount
		m.bal[balKey{x.To, x.Amount.Denom}] += x.Amount.Amount
		m.ensure(x.To)
	case *tx.MsgMint:
		switch {
		case !m.roles[roleKey{signer, tx.IssuerRole(x.Amount.Denom)}]:
			return fail(tx.CodeBankNotIssuer)
		case !known(x.Amount.Denom):
			return fail(tx.CodeBankUnknownDenom)
		case m.supply[x.Amount.Denom] > math.MaxUint64-x.Amount.Amount:
			return fail(tx.CodeBankOverflow)
		}
		m.supply[x.Amount.Denom] += x.Amount.Amount
		m.bal[balKey{x.To, x.Amount.Denom}] += x.Amount.Amount
		m.ensure(x.To)
	case *tx.MsgBurn:
		switch {
		case !known(x.Amount.Denom):
			return fail(tx.CodeBankUnknownDenom)
		case m.bal[balKey{signer, x.Amount.Denom}] < x.Amount.Amount:
			return fail(tx.CodeBankInsufficientFunds)
		}
		m.bal[balKey{signer, x.Amount.Denom}] -= x.Amount.Amount
		m.supply[x.Amount.Denom] -= x.Amount.Amount
	case *tx.MsgRoleGrant:
		switch {
		case !m.authority[signer]:
			return fail(tx.CodeAuthNotAuthority)
		case m.roles[roleKey{x.Address, x.Role}]:
			return fail(tx.CodeAuthRoleHeld)
		}
		m.roles[roleKey{x.Address, x.Role}] = true
		m.ensure(x.Address)
	case *tx.MsgRoleRevoke:
		switch {
		case !m.authority[signer]:
			return fail(tx.CodeAuthNotAuthority)
		case !m.roles[roleKey{x.Address, x.Role}]:
			return fail(tx.CodeAuthRoleNotHeld)
		}
		delete(m.roles, roleKey{x.Address, x.Role})
	case *tx.MsgDeviceRegister:
		switch {
		case !m.roles[roleKey{signer, tx.RoleInstaller}]:
			return fail(tx.CodeDeviceNotInstaller)
		case m.devs[x.ID] != nil:
			return fail(tx.CodeDeviceExists)
		}
		m.devs[x.ID] = &mdev{owner: x.Owner, installer: signer, keys: [][]byte{x.PubKey}}
		m.ensure(x.Owner)
	case *tx.MsgDeviceReassignInstaller:
		d := m.devs[x.ID]
		switch {
		case !m.authority[signer]:
			return fail(tx.CodeDeviceNotAuthority)
		case d == nil:
			return fail(tx.CodeDeviceUnknown)
		case d.revoked:
			return fail(tx.CodeDeviceRevoked)
		case !m.roles[roleKey{x.Installer, tx.RoleInstaller}]:
			return fail(tx.CodeDeviceNotInstaller)
		case x.Installer == d.installer:
			return fail(tx.CodeDeviceSameInstaller)
		}
		d.installer = x.Installer
	case *tx.MsgDeviceRevoke, *tx.MsgDeviceRotate, *tx.MsgDeviceTransfer:
		var id string
		switch y := x.(type) {
		case *tx.MsgDeviceRevoke:
			id = y.ID
		case *tx.MsgDeviceRotate:
			id = y.ID
		case *tx.MsgDeviceTransfer:
			id = y.ID
		}
		d := m.devs[id]
		switch {
		case d == nil:
			return fail(tx.CodeDeviceUnknown)
		case d.revoked:
			return fail(tx.CodeDeviceRevoked)
		}
		// Who may rotate or revoke: an authority, or the installer of
		// record while it holds the role; never the owner alone.
		keyCode := tx.Code{}
		switch {
		case m.authority[signer]:
		case !d.installer.IsZero() && signer == d.installer:
			if !m.roles[roleKey{signer, tx.RoleInstaller}] {
				keyCode = tx.CodeDeviceNotInstaller
			}
		case signer == d.owner:
			keyCode = tx.CodeDeviceOwnerAlone
		default:
			keyCode = tx.CodeDeviceNotItsInstaller
		}
		switch y := x.(type) {
		case *tx.MsgDeviceRevoke:
			if keyCode != (tx.Code{}) {
				return fail(keyCode)
			}
			d.revoked = true
		case *tx.MsgDeviceRotate:
			if keyCode != (tx.Code{}) {
				return fail(keyCode)
			}
			for _, k := range d.keys {
				if slices.Equal(k, y.PubKey) {
					return fail(tx.CodeDeviceSameKey)
				}
			}
			d.keys = append(d.keys, y.PubKey)
		case *tx.MsgDeviceTransfer:
			switch {
			case signer != d.owner:
				return fail(tx.CodeDeviceNotOwner)
			case y.NewOwner == d.owner:
				return fail(tx.CodeDeviceSameOwner)
			}
			d.owner = y.NewOwner
			m.ensure(y.NewOwner)
		}
	default:
		panic(fmt.Sprintf("model cannot apply %T", msg))
	}
	return nil
}

// simTx is one generated transaction with the model's prediction.
type simTx struct {
	raw    []byte
	signer tx.Address
	msgs   []tx.Msg
	want   outcome
}

// generator makes seeded random blocks and keeps the model in step.
type generator struct {
	tb      testing.TB
	rng     *rand.Rand
	m       *model
	signers []apptest.Key
	addrs   []tx.Address
	// committed are the accounts of the last committed state: a proposal
	// carries only their transactions.
	committed map[tx.Address]bool
}

func newGenerator(tb testing.TB, seed uint64) *generator {
	return &generator{
		tb:      tb,
		rng:     rand.New(rand.NewPCG(seed, 0x636974796368616e)),
		m:       newModel(simAccounts(), simGenesisDevices()),
		signers: simSigners(),
		addrs:   simAddresses(),
	}
}

func (g *generator) addr() tx.Address { return g.addrs[g.rng.IntN(len(g.addrs))] }

func (g *generator) denom() string {
	if g.rng.IntN(10) == 0 {
		return denomUnknown
	}
	return simDenoms[g.rng.IntN(len(simDenoms))]
}

// amount is up to a little over what signer holds, at least 1.
func (g *generator) amount(signer tx.Address, denom string) uint64 {
	bal := g.m.bal[balKey{signer, denom}]
	limit := bal + bal/8 + 10
	if limit < bal { // near 2^64
		limit = math.MaxUint64
	}
	return g.rng.Uint64N(limit) + 1
}

func (g *generator) msg(signer apptest.Key) tx.Msg {
	s := signer.Addr
	switch r := g.rng.IntN(100); {
	case r < 35:
		to := g.addr()
		if g.rng.IntN(20) == 0 {
			to = s
		}
		d := g.denom()
		return &tx.MsgSend{To: to, Amount: tx.Coin{Amount: g.amount(s, d), Denom: d}}
	case r < 45:
		d := g.denom()
		amt := g.rng.Uint64N(1_000_000_000) + 1
		if g.rng.IntN(8) == 0 { // right at, or one past, the 2^64 limit
			room := math.MaxUint64 - g.m.supply[d]
			amt = room + uint64(g.rng.IntN(2))
			if amt == 0 {
				amt = 1
			}
		}
		return &tx.MsgMint{To: g.addr(), Amount: tx.Coin{Amount: amt, Denom: d}}
	case r < 55:
		d := g.denom()
		return &tx.MsgBurn{Amount: tx.Coin{Amount: g.amount(s, d), Denom: d}}
	case r < 61:
		return &tx.MsgRoleGrant{Address: g.addr(), Role: simRoles[g.rng.IntN(len(simRoles))]}
	case r < 65:
		return &tx.MsgRoleRevoke{Address: g.addr(), Role: simRoles[g.rng.IntN(len(simRoles))]}
	case r < 77:
		return &tx.MsgDeviceRegister{ID: simDeviceIDs[g.rng.IntN(len(simDeviceIDs))], Kind: tx.KindSolarInverter,
			Owner: g.addr(), PubKey: simDevKeys[g.rng.IntN(len(simDevKeys))].Pub,
			Metadata: tx.DeviceMetadata{SerialNumber: fmt.Sprintf("SN-%d", g.rng.IntN(1000)), RatedPowerW: 5000}}
	case r < 86:
		return &tx.MsgDeviceRotate{ID: simDeviceIDs[g.rng.IntN(len(simDeviceIDs))], PubKey: simDevKeys[g.rng.IntN(len(simDevKeys))].Pub}
	case r < 95:
		return &tx.MsgDeviceTransfer{ID: simDeviceIDs[g.rng.IntN(len(simDeviceIDs))], NewOwner: g.addr()}
	case r < 97:
		return &tx.MsgDeviceReassignInstaller{ID: simDeviceIDs[g.rng.IntN(len(simDeviceIDs))], Installer: g.addr()}
	default:
		return &tx.MsgDeviceRevoke{ID: simDeviceIDs[g.rng.IntN(len(simDeviceIDs))], Reason: "decommissioned"}
	}
}

// signerFor prefers the key a message needs, so that valid messages are
// common: a device's owner, an issuer, the authority, an installer.
func (g *generator) signerFor(msg tx.Msg) apptest.Key {
	if g.rng.IntN(3) == 0 {
		return g.signers[g.rng.IntN(len(g.signers))]
	}
	byAddr := func(a tx.Address) apptest.Key {
		for _, k := range g.signers {
			if k.Addr == a {
				return k
			}
		}
		return g.signers[g.rng.IntN(len(g.signers))]
	}
	switch x := msg.(type) {
	case *tx.MsgMint:
		if x.Amount.Denom == tx.DenomKRW {
			return apptest.KBank
		}
		return apptest.Treasury
	case *tx.MsgRoleGrant, *tx.MsgRoleRevoke:
		return apptest.Authority
	case *tx.MsgDeviceRegister:
		return apptest.Installer
	case *tx.MsgDeviceTransfer:
		if d := g.m.devs[x.ID]; d != nil {
			return byAddr(d.owner)
		}
	case *tx.MsgDeviceRotate:
		if d := g.m.devs[x.ID]; d != nil {
			return byAddr(g.keyManager(d))
		}
	case *tx.MsgDeviceRevoke:
		if d := g.m.devs[x.ID]; d != nil {
			return byAddr(g.keyManager(d))
		}
	case *tx.MsgDeviceReassignInstaller:
		return apptest.Authority
	}
	return g.signers[g.rng.IntN(len(g.signers))]
}

// keyManager picks who signs a rotation or revocation: mostly the
// installer of record (the authority for a device with none), sometimes
// the owner or the authority.
func (g *generator) keyManager(d *mdev) tx.Address {
	switch r := g.rng.IntN(6); {
	case r == 0:
		return d.owner
	case r == 1 || d.installer.IsZero():
		return apptest.Authority.Addr
	}
	return d.installer
}

// next generates one transaction and applies its predicted effect.
func (g *generator) next() simTx {
	first := g.msg(g.signers[0])
	signer := g.signerFor(first)
	msgs := []tx.Msg{first}
	if g.rng.IntN(8) == 0 {
		for range 1 + g.rng.IntN(2) {
			msgs = append(msgs, g.msg(signer))
		}
	}
	seq, exists := g.m.seq[signer.Addr]
	switch r := g.rng.IntN(100); {
	case r < 4:
		seq++ // future
	case r < 8 && seq > 0:
		seq-- // stale
	}
	chainID := apptest.ChainID
	if g.rng.IntN(40) == 0 {
		chainID = "citychain-other"
	}
	raw, err := tx.Build(signer.Priv, chainID, seq, "", msgs...)
	if err != nil {
		g.tb.Fatal(err)
	}
	st := simTx{raw: raw, signer: signer.Addr, msgs: msgs}
	switch r := g.rng.IntN(60); {
	case r == 0: // corrupt signature
		raw[len(raw)-1-g.rng.IntN(64)] ^= byte(1 + g.rng.IntN(255))
		st.want = outcome{dropped: true}
		return st
	case r == 1: // a message that fails its own checks: zero amount
		st.raw = apptest.SignBody(signer, []byte(fmt.Sprintf(`{"chain_id":%q,"signer":"%s","sequence":%d,"msgs":[{"type":"bank/burn","value":{"amount":"0uscn"}}]}`,
			chainID, signer.Pub, seq)))
		st.want = outcome{dropped: true}
		return st
	}
	if !g.committed[signer.Addr] {
		st.want = outcome{dropped: true, unregistered: true}
		return st
	}
	switch {
	case chainID != apptest.ChainID:
		st.want = *fail(tx.CodeTxWrongChainID)
	case !exists:
		st.want = *fail(tx.CodeAuthUnknownAccount)
	case seq != g.m.seq[signer.Addr]:
		st.want = *fail(tx.CodeAuthWrongSequence)
	default:
		g.m.seq[signer.Addr]++
		st.want = outcome{anteOK: true}
		c := g.m.clone()
		for _, msg := range msgs {
			if o := c.apply(signer.Addr, msg); o != nil {
				st.want.codespace, st.want.code = o.codespace, o.code
				break
			}
		}
		if st.want.code == 0 {
			g.m = c
		}
	}
	return st
}

// block generates the transactions of one block.
func (g *generator) block(maxTxs int) []simTx {
	g.committed = map[tx.Address]bool{}
	for a := range g.m.seq {
		g.committed[a] = true
	}
	n := g.rng.IntN(maxTxs + 1)
	out := make([]simTx, n)
	for i := range out {
		out[i] = g.next()
	}
	return out
}

func raws(txs []simTx) [][]byte {
	out := make([][]byte, len(txs))
	for i, t := range txs {
		out[i] = t.raw
	}
	return out
}

// ed25519Verifies reports whether raw decodes and its signature verifies.
func ed25519Verifies(raw []byte) bool {
	t, err := tx.Decode(raw)
	return err == nil && ed25519.Verify(ed25519.PublicKey(t.Body.Signer), tx.SignBytes(t.BodyBytes), t.Signature)
}
