package registry

import (
	"strconv"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// effective reports whether addr holds an effective grant of role in
// registry name at unix time now.
func effective(kv store.KV, name, role string, addr tx.Address, now int64) bool {
	g := getGrant(kv, name, role, addr)
	return g != nil && effectiveGrant(kv, g, now)
}

// effectiveGrant reports whether g is effective at unix time now: it has
// not expired and, when delegated (depth > 1), its granter's grant of the
// role is effective, delegable and nearer the owner. It is evaluated at
// use, so revoking or the expiry of a grant stops every grant delegated
// from it; the walk ends within g.Depth steps (depth strictly falls).
func effectiveGrant(kv store.KV, g *Grant, now int64) bool {
	for {
		if g.Expires != 0 && now >= g.Expires {
			return false
		}
		if g.Depth <= 1 {
			return true
		}
		p := getGrant(kv, g.Registry, g.Role, g.Granter)
		if p == nil || !p.Delegable || p.Depth >= g.Depth {
			return false
		}
		g = p
	}
}

// holdsAny reports whether addr holds an effective grant of one of roles.
func holdsAny(kv store.KV, name string, roles []string, addr tx.Address, now int64) bool {
	for _, role := range roles {
		if effective(kv, name, role, addr, now) {
			return true
		}
	}
	return false
}

func (k *Keeper) grant(ctx *module.Context, signer tx.Address, m *tx.MsgRegistryGrant) error {
	kv := k.kv(ctx)
	r, err := k.enabled(kv, m.Registry)
	if err != nil {
		return err
	}
	if !r.Def.HasRole(m.Role) {
		return ErrUnknownRole.Wrapf("registry %q declares no role %q", r.Name, m.Role)
	}
	now := ctx.Time.Unix()
	if m.Expires != 0 && m.Expires <= now {
		return ErrBadExpiry.Wrapf("expires %d: want after the block time %d (or 0 for never)", m.Expires, now)
	}
	g := Grant{Registry: r.Name, Role: m.Role, Grantee: m.Grantee, Granter: signer, Expires: m.Expires,
		Delegable: m.Delegable, Depth: 1, Height: ctx.Height}
	if signer != r.Owner {
		own := getGrant(kv, r.Name, m.Role, signer)
		switch {
		case own == nil || !effectiveGrant(kv, own, now):
			return ErrNotGranter.Wrapf("%s is not the owner of %q and holds no effective grant of %q", signer, r.Name, m.Role)
		case !own.Delegable:
			return ErrNotGranter.Wrapf("%s's grant of %q in %q is not delegable", signer, m.Role, r.Name)
		case own.Depth+1 > tx.MaxRegistryDelegation:
			return ErrDelegationTooDeep.Wrapf("%s's grant of %q is %d from the owner: a grant from it would be %d, the most is %d",
				signer, m.Role, own.Depth, own.Depth+1, tx.MaxRegistryDelegation)
		case m.Expires == 0:
			return ErrBadExpiry.Wrapf("expires 0: a delegated grant expires, at the latest with its granter's")
		case own.Expires != 0 && m.Expires > own.Expires:
			return ErrBadExpiry.Wrapf("expires %d: after the granter's own grant, which expires %d", m.Expires, own.Expires)
		}
		if prev := getGrant(kv, r.Name, m.Role, m.Grantee); prev != nil && prev.Granter != signer {
			return ErrNotGranter.Wrapf("%s holds %q from %s: only that granter or the owner replaces it", m.Grantee, m.Role, prev.Granter)
		}
		g.Depth = own.Depth + 1
	}
	putJSON(kv, grantKey(r.Name, m.Role, m.Grantee), &g)
	k.auth.EnsureAccount(ctx, m.Grantee)
	ctx.Emit("registry.granted", "registry", r.Name, "role", m.Role, "grantee", m.Grantee.String(), "granter", signer.String(),
		"expires", strconv.FormatInt(m.Expires, 10), "depth", module.U64(uint64(g.Depth)), "delegable", strconv.FormatBool(m.Delegable))
	return nil
}

func (k *Keeper) revoke(ctx *module.Context, signer tx.Address, m *tx.MsgRegistryRevoke) error {
	kv := k.kv(ctx)
	r, err := k.enabled(kv, m.Registry)
	if err != nil {
		return err
	}
	if !r.Def.HasRole(m.Role) {
		return ErrUnknownRole.Wrapf("registry %q declares no role %q", r.Name, m.Role)
	}
	g := getGrant(kv, r.Name, m.Role, m.Grantee)
	if g == nil {
		return ErrNoGrant.Wrapf("%s holds no grant of %q in %q", m.Grantee, m.Role, r.Name)
	}
	if signer != r.Owner && signer != g.Granter {
		return ErrNotGranter.Wrapf("%s is neither the owner of %q nor the granter (%s) of %s's grant", signer, r.Name, g.Granter, m.Grantee)
	}
	kv.Delete(grantKey(r.Name, m.Role, m.Grantee))
	ctx.Emit("registry.revoked", "registry", r.Name, "role", m.Role, "grantee", m.Grantee.String(), "by", signer.String())
	return nil
}
