package auth

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Genesis is the module's section of the genesis app state.
type Genesis struct {
	// Authorities are the n accounts whose approvals run authority actions
	// (role grants and revocations, validator changes).
	Authorities []tx.Address `json:"authorities"`
	// AuthorityThreshold is k: how many distinct authorities must send or
	// approve an authority action before it runs, 1 to n. Absent: 1.
	AuthorityThreshold *uint32 `json:"authority_threshold,omitempty"`
	// ProposalTTLSeconds is how long a proposal may collect approvals, a
	// minute to a year. Absent: seven days.
	ProposalTTLSeconds *uint64 `json:"proposal_ttl_seconds,omitempty"`
	// Accounts to create, with their roles.
	Accounts []GenesisAccount `json:"accounts"`
	// Proposals restore the proposals of an exported chain, pending or
	// executed (until they expire), in id order.
	Proposals []tx.Proposal `json:"proposals,omitempty"`
}

// GenesisAccount is an account created at genesis.
type GenesisAccount struct {
	Address tx.Address `json:"address"`
	Roles   []string   `json:"roles,omitempty"`
	// PubKey and Sequence restore an account that has signed transactions
	// (an exported chain): its key and the sequence its next transaction
	// must carry. A new account has neither.
	PubKey   tx.PubKey `json:"pubkey,omitempty"`
	Sequence uint64    `json:"sequence,omitempty"`
}

var _ module.Exporter = (*Keeper)(nil)

// InitGenesis implements module.Module.
func (k *Keeper) InitGenesis(ctx *module.Context, raw json.RawMessage) error {
	var g Genesis
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return ErrInvalidGenesis.Wrapf("%v", err)
	}
	if len(g.Authorities) == 0 {
		return ErrInvalidGenesis.Wrapf("authorities: want at least one")
	}
	for _, a := range g.Authorities {
		k.kv(ctx).Set(authorityKey(a), []byte{1})
		k.EnsureAccount(ctx, a)
	}
	if err := k.initProposals(ctx, &g); err != nil {
		return err
	}
	restored := map[tx.Address]bool{} // looked up only, never iterated
	for i, acc := range g.Accounts {
		k.EnsureAccount(ctx, acc.Address)
		if acc.PubKey != nil || acc.Sequence != 0 {
			if err := restoreAccount(i, acc, restored); err != nil {
				return err
			}
			k.setAccount(ctx, &Account{Address: acc.Address, PubKey: acc.PubKey, Sequence: acc.Sequence})
		}
		for _, r := range acc.Roles {
			if err := tx.ValidateRole(r); err != nil {
				return ErrInvalidGenesis.Wrapf("account %s: %v", acc.Address, err)
			}
			if err := k.Grant(ctx, acc.Address, r); err != nil && !errors.Is(err, ErrRoleHeld) {
				return err
			}
		}
	}
	return nil
}

// initProposals writes the parameters, when the genesis names either, and
// the proposals of an exported chain with their expiry index. The
// parameters are checked against n, the distinct authorities.
func (k *Keeper) initProposals(ctx *module.Context, g *Genesis) error {
	kv := k.kv(ctx)
	params := DefaultParams()
	if g.AuthorityThreshold != nil {
		params.AuthorityThreshold = *g.AuthorityThreshold
	}
	if g.ProposalTTLSeconds != nil {
		params.ProposalTTLSeconds = *g.ProposalTTLSeconds
	}
	if err := validateParams(params, authorityCount(kv)); err != nil {
		return err
	}
	if g.AuthorityThreshold != nil || g.ProposalTTLSeconds != nil {
		store.PutJSON(kv, paramsKey, params)
	}
	for i := range g.Proposals {
		p := &g.Proposals[i]
		if err := validateProposal(kv, p, params); err != nil {
			return ErrInvalidGenesis.Wrapf("proposals[%d] (%s): %v", i, p.ID, err)
		}
		if i > 0 && bytes.Compare(g.Proposals[i-1].ID[:], p.ID[:]) >= 0 {
			return ErrInvalidGenesis.Wrapf("proposals[%d] (%s): want the proposals in increasing id order, each once", i, p.ID)
		}
		k.putProposal(ctx, p)
		kv.Set(expiryKey(p.Expires, p.ID), []byte{1})
		if p.State == tx.ProposalPending {
			for _, a := range p.Approvals {
				k.countPending(ctx, a, true)
			}
		}
	}
	return nil
}

// restoreAccount checks the key and sequence of accounts[i]: the key must
// be the address's, and an account's key and sequence are given once.
func restoreAccount(i int, acc GenesisAccount, restored map[tx.Address]bool) error {
	if restored[acc.Address] {
		return ErrInvalidGenesis.Wrapf("accounts[%d]: account %s: pubkey or sequence given twice", i, acc.Address)
	}
	restored[acc.Address] = true
	if acc.PubKey == nil {
		return nil
	}
	if got := acc.PubKey.Address(); got != acc.Address {
		return ErrInvalidGenesis.Wrapf("accounts[%d]: pubkey %s is the key of address %s, not of the account's address %s", i, acc.PubKey, got, acc.Address)
	}
	return nil
}

// ExportGenesis implements module.Exporter: every account with its key,
// sequence and roles, every authority, the parameters when the state holds
// them and every proposal (the import rebuilds their expiry index). The role index is rebuilt by
// the grants of InitGenesis.
func (k *Keeper) ExportGenesis(ctx *module.Context) (json.RawMessage, error) {
	kv := k.kv(ctx)
	g := Genesis{Authorities: []tx.Address{}, Accounts: []GenesisAccount{}}
	indexed := 0 // expiry index entries, one per proposal
	// The approvals of pending proposals, and the pending approval counts
	// of the authorities, which must add up to the same.
	var pendingApprovals, counted uint64
	return module.ExportSection(Codespace, kv, &g, func(key, value []byte) error {
		switch key[0] {
		case prefixAccount:
			if len(key) != 1+len(tx.Address{}) {
				return errors.New("account key: want 0x01 and a 20-byte address")
			}
			var a Account
			if e := store.DecodeExact(value, &a); e != nil {
				return fmt.Errorf("account: %v", e)
			}
			if !bytes.Equal(a.Address[:], key[1:]) {
				return fmt.Errorf("account has address %s, not the key's", a.Address)
			}
			if a.PubKey != nil && a.PubKey.Address() != a.Address {
				return fmt.Errorf("account %s has pubkey %s of another address", a.Address, a.PubKey)
			}
			var held []string // checked with the roles keys below
			if b := kv.Get(rolesKey(a.Address)); b != nil {
				if e := json.Unmarshal(b, &held); e != nil {
					return fmt.Errorf("roles of %s: %v", a.Address, e)
				}
			}
			g.Accounts = append(g.Accounts, GenesisAccount{Address: a.Address, Roles: held, PubKey: a.PubKey, Sequence: a.Sequence})
		case prefixRoles:
			var addr tx.Address
			if len(key) != 1+len(addr) {
				return errors.New("roles key: want 0x02 and a 20-byte address")
			}
			copy(addr[:], key[1:])
			if !kv.Has(accountKey(addr)) {
				return fmt.Errorf("roles of %s: the address has no account", addr)
			}
			var held []string
			if e := store.DecodeExact(value, &held); e != nil {
				return fmt.Errorf("roles of %s: %v", addr, e)
			}
			if len(held) == 0 || !slices.IsSorted(held) || len(slices.Compact(slices.Clone(held))) != len(held) {
				return fmt.Errorf("roles of %s: %q: want a sorted list of distinct roles", addr, held)
			}
			for _, r := range held {
				if e := tx.ValidateRole(r); e != nil {
					return fmt.Errorf("roles of %s: %v", addr, e)
				}
				if !kv.Has(memberKey(r, addr)) {
					return fmt.Errorf("role %q of %s is missing from the role index", r, addr)
				}
			}
		case prefixMembers:
			n := len(tx.Address{})
			if len(key) < 1+1+n || key[len(key)-n-1] != 0 || !bytes.Equal(value, []byte{1}) {
				return fmt.Errorf("role index entry = %x: want 0x03, a role, 0x00 and a 20-byte address = 01", value)
			}
			var addr tx.Address
			copy(addr[:], key[len(key)-n:])
			role := string(key[1 : len(key)-n-1])
			if _, found := slices.BinarySearch(getRoles(kv, addr), role); !found {
				return fmt.Errorf("role index lists %s under %q, which it does not hold", addr, role)
			}
		case prefixProposal:
			var p tx.Proposal
			if len(key) != 1+len(p.ID) {
				return errors.New("proposal key: want 0x05 and a 32-byte id")
			}
			if e := store.DecodeExact(value, &p); e != nil {
				return fmt.Errorf("proposal: %v", e)
			}
			if !bytes.Equal(p.ID[:], key[1:]) {
				return fmt.Errorf("proposal has id %s, not the key's", p.ID)
			}
			g.Proposals = append(g.Proposals, p)
			if p.State == tx.ProposalPending {
				pendingApprovals += uint64(len(p.Approvals))
			}
		case prefixExpiry:
			var id tx.ProposalID
			if len(key) != 1+8+len(id) || !bytes.Equal(value, []byte{1}) {
				return fmt.Errorf("expiry index entry = %x: want 0x06, an 8-byte time and a 32-byte id = 01", value)
			}
			copy(id[:], key[1+8:])
			p := getProposal(kv, id)
			if p == nil || !bytes.Equal(expiryKey(p.Expires, id), key) {
				return fmt.Errorf("expiry index entry of proposal %s matches no proposal's expiry", id)
			}
			indexed++
		case prefixPending:
			var addr tx.Address
			if len(key) != 1+len(addr) || len(value) != 8 {
				return fmt.Errorf("pending approvals = %x: want 0x08 and a 20-byte address = an 8-byte count", value)
			}
			copy(addr[:], key[1:])
			n, want := binary.BigEndian.Uint64(value), uint64(0)
			for _, p := range g.Proposals {
				if p.State == tx.ProposalPending && slices.Contains(p.Approvals, addr) {
					want++
				}
			}
			if n != want || n == 0 {
				return fmt.Errorf("pending approvals of %s: %d stored, but it approved %d pending proposals", addr, n, want)
			}
			counted += n
		case prefixParams:
			var p tx.AuthParams
			if e := store.DecodeExact(value, &p); e != nil {
				return fmt.Errorf("params: %v", e)
			}
			g.AuthorityThreshold, g.ProposalTTLSeconds = &p.AuthorityThreshold, &p.ProposalTTLSeconds
		case prefixAuthority:
			var addr tx.Address
			if len(key) != 1+len(addr) || !bytes.Equal(value, []byte{1}) {
				return fmt.Errorf("authority entry = %x: want 0x04 and a 20-byte address = 01", value)
			}
			copy(addr[:], key[1:])
			if !kv.Has(accountKey(addr)) {
				return fmt.Errorf("authority %s has no account", addr)
			}
			g.Authorities = append(g.Authorities, addr)
		default:
			return module.ErrUnknownKey
		}
		return nil
	}, func() error {
		if len(g.Authorities) == 0 {
			return errors.New("the state has accounts but no authority, and a genesis section needs at least one")
		}
		if indexed != len(g.Proposals) {
			return fmt.Errorf("%d proposals but %d expiry index entries", len(g.Proposals), indexed)
		}
		if counted != pendingApprovals {
			return fmt.Errorf("pending proposals carry %d approvals, but the authorities' pending approval counts add up to %d", pendingApprovals, counted)
		}
		return nil
	})
}
