#!/usr/bin/env python3
"""An independent verifier of citychain elections, written from
docs/voting-verification.md alone (no code shared with chain/votecrypto),
in plain Python 3 with the standard library only: ristretto255 (RFC 9496)
on big integers, the hash to scalars, Schnorr and DLEQ proofs, the DKG's
keys, ballot proofs, blind RSA credentials (RSASSA-PSS SHA-384, salt 0),
the ballot bytes and tracker, the tally, the decryption shares and the
result.

    python3 docs/examples/voting_verify.py docs/voting-vectors.json
    python3 docs/examples/voting_verify.py --election election.json

The first form checks every test vector; the second an ElectionData
document (the "election" member of the vectors has that shape; `citychain
vote verify ELECTION --json` prints the report of the Go verifier, and the
chain's queries give the data, see the document's section 11). It prints
one line per check and exits 1 if any fails. It is slow (pure Python
scalar multiplication: about a second per ballot) and meant as a second
opinion, not as the production verifier.
"""
import hashlib
import json
import sys

# ---- the group: ristretto255 over edwards25519 (RFC 9496) ----

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = (-121665 * pow(121666, P - 2, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def is_neg(x):
    return (x % P) & 1


def fabs(x):
    x %= P
    return P - x if is_neg(x) else x


def sqrt_ratio_m1(u, v):
    u %= P
    v %= P
    r = (u * pow(v, 3, P)) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    check = v * r * r % P
    correct = check == u
    flipped = check == (-u) % P
    flipped_i = check == (-u * SQRT_M1) % P
    if flipped or flipped_i:
        r = r * SQRT_M1 % P
    return correct or flipped, fabs(r)


IDENTITY = (0, 1, 1, 0)  # extended coordinates (X, Y, Z, T)


def decode(b):
    """RFC 9496 4.3.1 DECODE; None for a non-canonical encoding."""
    if len(b) != 32:
        return None
    s = int.from_bytes(b, "little")
    if s >= P or is_neg(s):
        return None
    if s == 0:
        return IDENTITY
    ss = s * s % P
    u1 = (1 - ss) % P
    u2 = (1 + ss) % P
    u2sq = u2 * u2 % P
    v = (-(D * u1 * u1) - u2sq) % P
    ok, inv = sqrt_ratio_m1(1, v * u2sq)
    den_x = inv * u2 % P
    den_y = inv * den_x * v % P
    x = fabs(2 * s * den_x)
    y = u1 * den_y % P
    t = x * y % P
    if not ok or is_neg(t) or y == 0:
        return None
    return (x, y, 1, t)


def add(p, q):
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = 2 * D * t1 * t2 % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def neg(p):
    x, y, z, t = p
    return ((-x) % P, y, z, (-t) % P)


def mul(k, p):
    k %= L
    r = IDENTITY
    while k:
        if k & 1:
            r = add(r, p)
        p = add(p, p)
        k >>= 1
    return r


def eq(p, q):
    """Ristretto equality: X1*Y2 == Y1*X2 or Y1*Y2 == X1*X2."""
    return (p[0] * q[1] - p[1] * q[0]) % P == 0 or (p[1] * q[1] - p[0] * q[0]) % P == 0


def is_identity(p):
    return eq(p, IDENTITY)


G_BYTES = bytes.fromhex("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76")
G = decode(G_BYTES)

# ---- encodings and the hash to scalars (sections 1 and 2) ----


def u32(n):
    return n.to_bytes(4, "big")


def u64(n):
    return n.to_bytes(8, "big")


def lp(b):
    return u32(len(b)) + b


def H(name, *parts):
    h = hashlib.sha512(lp(b"citychain/vote/v1/" + name.encode()))
    for p in parts:
        h.update(lp(p))
    return int.from_bytes(h.digest(), "little") % L


class Bad(Exception):
    pass


def hx(s):
    return bytes.fromhex(s)


def point(s, what, key=True):
    p = decode(hx(s))
    if p is None:
        raise Bad(f"{what}: not a canonical ristretto255 encoding")
    if key and is_identity(p):
        raise Bad(f"{what}: the identity where a key is required")
    return p


def scalar(s, what):
    v = int.from_bytes(hx(s), "little")
    if len(hx(s)) != 32 or v >= L:
        raise Bad(f"{what}: not a canonical scalar")
    return v


# ---- contexts (section 3) ----


def ctx_key(chain, e, j):
    return lp(b"dkg_key") + lp(chain.encode()) + u64(e) + u32(j)


def ctx_deal(chain, e, j):
    return lp(b"dkg_deal") + lp(chain.encode()) + u64(e) + u32(j)


def ctx_share(chain, e, i, j):
    return lp(b"dkg_share") + lp(chain.encode()) + u64(e) + u32(i) + u32(j)


def ctx_decrypt(chain, e, j, o):
    return lp(b"decrypt") + lp(chain.encode()) + u64(e) + u32(j) + u32(o)


def ctx_ballot(chain, e, key):
    return lp(b"ballot") + lp(chain.encode()) + u64(e) + lp(key)


# ---- proofs (sections 4 and 6) ----


def schnorr(X_hex, pok, ctx):
    X = point(X_hex, "X")
    T = point(pok["t"], "t")
    s = scalar(pok["s"], "s")
    c = H("pok", ctx, hx(X_hex), hx(pok["t"]))
    return eq(mul(s, G), add(T, mul(c, X))), c


def dleq(X_hex, H_hex, Z_hex, pr, ctx):
    X = point(X_hex, "X")
    Hp = point(H_hex, "H", key=False)
    Z = point(Z_hex, "Z", key=False)
    A1 = point(pr["a1"], "a1")
    A2 = point(pr["a2"], "a2", key=False)
    r = scalar(pr["r"], "r")
    c = H("dleq", ctx, hx(H_hex), hx(X_hex), hx(Z_hex), hx(pr["a1"]), hx(pr["a2"]))
    return eq(mul(r, G), add(A1, mul(c, X))) and eq(mul(r, Hp), add(A2, mul(c, Z))), c


def disjunction(Y, A, B, branches, lo, c):
    """sum c_k == c and, for each branch k (value lo+k), r·G = a + c·A and
    r·Y = b + c·(B − (lo+k)·G)."""
    if sum(scalar(b["c"], "c") for b in branches) % L != c:
        return False
    for k, br in enumerate(branches):
        a, b = point(br["a"], "a"), point(br["b"], "b")
        ck, rk = scalar(br["c"], "c"), scalar(br["r"], "r")
        if not eq(mul(rk, G), add(a, mul(ck, A))):
            return False
        Bv = add(B, neg(mul(lo + k, G)))
        if not eq(mul(rk, Y), add(b, mul(ck, Bv))):
            return False
    return True


def ballot_ok(chain, Y_hex, options, lo, hi, m):
    """Section 6: the shape, every option proof and the sum proof."""
    Y = point(Y_hex, "election key")
    if len(m["choices"]) != options:
        raise Bad(f"ballot: {len(m['choices'])} choices, want {options}")
    if len(m["sum"]) != hi - lo + 1:
        raise Bad("ballot: wrong number of sum branches")
    ctx = ctx_ballot(chain, m["election"], hx(m["ballot_key"]))
    yb = hx(Y_hex)
    sumA, sumB = IDENTITY, IDENTITY
    cts = b""
    for i, ch in enumerate(m["choices"]):
        if len(ch["proof"]) != 2:
            raise Bad(f"option {i}: want 2 branches")
        A, B = point(ch["ct"]["a"], "A"), point(ch["ct"]["b"], "B")
        commits = b"".join(hx(br[x]) for br in ch["proof"] for x in ("a", "b"))
        parts = [ctx, u32(i), yb, hx(ch["ct"]["a"]), hx(ch["ct"]["b"])] + [commits[k:k + 32] for k in range(0, len(commits), 32)]
        if not disjunction(Y, A, B, ch["proof"], 0, H("option", *parts)):
            raise Bad(f"option {i}: proof fails")
        sumA, sumB = add(sumA, A), add(sumB, B)
        cts += hx(ch["ct"]["a"]) + hx(ch["ct"]["b"])
    parts = [ctx, u32(lo), u32(hi), yb] + [cts[k:k + 32] for k in range(0, len(cts), 32)]
    parts += [hx(br[x]) for br in m["sum"] for x in ("a", "b")]
    if not disjunction(Y, sumA, sumB, m["sum"], lo, H("sum", *parts)):
        raise Bad("sum proof fails")
    return True


# ---- ballot bytes and tracker (section 9) ----


def ballot_bytes(m):
    b = b"citychain/vote/ballot/v1\x00" + u64(m["election"]) + hx(m["ballot_key"]) + u64(m["weight"])
    cred = hx(m["credential"])
    b += u32(len(cred)) + cred + u32(len(m["choices"]))

    def branches(bs):
        return u32(len(bs)) + b"".join(hx(x["a"]) + hx(x["b"]) + hx(x["c"]) + hx(x["r"]) for x in bs)

    for ch in m["choices"]:
        b += hx(ch["ct"]["a"]) + hx(ch["ct"]["b"]) + branches(ch["proof"])
    return b + branches(m["sum"])


# ---- credentials: RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 0 (section 8) ----


def der_rsa_key(der):
    """(n, e) of a PKIX SubjectPublicKeyInfo of an RSA key."""
    def tlv(b, i):
        tag, ln = b[i], b[i + 1]
        i += 2
        if ln & 0x80:
            k = ln & 0x7F
            ln = int.from_bytes(b[i:i + k], "big")
            i += k
        return tag, b[i:i + ln], i + ln

    _, spki, _ = tlv(der, 0)
    _, _, i = tlv(spki, 0)  # AlgorithmIdentifier
    tag, bits, _ = tlv(spki, i)
    if tag != 0x03 or bits[0] != 0:
        raise Bad("credential key: not a bit string")
    _, seq, _ = tlv(bits[1:], 0)
    _, n, j = tlv(seq, 0)
    _, e, _ = tlv(seq, j)
    return int.from_bytes(n, "big"), int.from_bytes(e, "big")


def mgf1(seed, length):
    out, c = b"", 0
    while len(out) < length:
        out += hashlib.sha384(seed + c.to_bytes(4, "big")).digest()
        c += 1
    return out[:length]


def pss_verify(n, e, msg, sig):
    k = (n.bit_length() + 7) // 8
    s = int.from_bytes(sig, "big")
    if len(sig) != k or s >= n:
        return False
    em_bits = n.bit_length() - 1
    em_len = (em_bits + 7) // 8
    em = pow(s, e, n).to_bytes(em_len, "big")
    hlen = 48
    mhash = hashlib.sha384(msg).digest()
    if em[-1] != 0xBC:
        return False
    masked, h = em[:em_len - hlen - 1], em[em_len - hlen - 1:-1]
    db = bytes(x ^ y for x, y in zip(masked, mgf1(h, len(masked))))
    db = bytes([db[0] & (0xFF >> (8 * em_len - em_bits))]) + db[1:]
    if any(db[:-1]) or db[-1] != 0x01:  # salt length 0: PS then 0x01
        return False
    return hashlib.sha384(b"\x00" * 8 + mhash).digest() == h


def credential_message(chain, e, key):
    return b"citychain/vote/credential/v1\x00" + chain.encode() + b"\x00" + u64(e) + key


# ---- elections (sections 5, 10, 11) ----


def lagrange(S):
    out = []
    for j in S:
        num, den = 1, 1
        for m in S:
            if m != j:
                num = num * m % L
                den = den * (m - j) % L
        out.append(num * pow(den, L - 2, L) % L)
    return out


def verify_election(d, say):
    chain, e = d["chain_id"], d["election"]
    eid, k = e["id"], e["threshold"]
    trustees = {t["index"]: t for t in d["trustees"]}
    ok = True

    def check(cond, what):
        nonlocal ok
        ok = ok and cond
        say(("ok   " if cond else "FAIL ") + what)

    for j, t in sorted(trustees.items()):
        if t.get("key"):
            check(schnorr(t["key"], t["key_pok"], ctx_key(chain, eid, j))[0], f"trustee {j}: DKG key proof of knowledge")
        if t.get("commitments"):
            check(schnorr(t["commitments"][0], t["deal_pok"], ctx_deal(chain, eid, j))[0], f"trustee {j}: deal proof of knowledge")
    Q = e.get("qualified") or []
    Y = IDENTITY
    for i in Q:
        Y = add(Y, point(trustees[i]["commitments"][0], "C0"))
    check(eq(Y, point(e["key"], "election key")), f"election key = sum of C_i,0 over qualified {Q}")
    for j, t in sorted(trustees.items()):
        Yj = IDENTITY
        for i in Q:
            for tt, C in enumerate(trustees[i]["commitments"]):
                Yj = add(Yj, mul(pow(j, tt, L), point(C, "C")))
        check(eq(Yj, point(t["verification_key"], "Y_j")), f"trustee {j}: verification key from the commitments")
    keys = {c["weight"]: der_rsa_key(hx(c["key"])) for c in e["classes"]}
    for r in d["requests"]:
        if r.get("blind_sig"):
            n, ee = keys[r["weight"]]
            check(pow(int.from_bytes(hx(r["blind_sig"]), "big"), ee, n) == int.from_bytes(hx(r["blinded"]), "big"),
                  f"request {r['seq']}: blind_sig^e mod n = blinded")
    last = {}
    for b in sorted(d["ballots"], key=lambda b: b["seq"]):
        m = b["ballot"]
        n, ee = keys[m["weight"]]
        check(pss_verify(n, ee, credential_message(chain, eid, hx(m["ballot_key"])), hx(m["credential"])),
              f"ballot {b['seq']}: credential (RSA-PSS) of weight {m['weight']}")
        try:
            good = ballot_ok(chain, e["key"], len(e["options"]), e["min_choices"], e["max_choices"], m)
        except Bad as x:
            good = False
            say("     " + str(x))
        check(good, f"ballot {b['seq']}: option and sum proofs")
        check(hashlib.sha256(ballot_bytes(m)).hexdigest() == b["tracker"], f"ballot {b['seq']}: tracker = SHA-256(ballot bytes)")
        last[m["ballot_key"]] = m
    tally = [[IDENTITY, IDENTITY] for _ in e["options"]]
    for m in last.values():
        for o, ch in enumerate(m["choices"]):
            tally[o][0] = add(tally[o][0], mul(m["weight"], point(ch["ct"]["a"], "A")))
            tally[o][1] = add(tally[o][1], mul(m["weight"], point(ch["ct"]["b"], "B")))
    for o, (A, B) in enumerate(tally):
        st = e["tally"][o]
        check(eq(A, point(st["a"], "A", key=False)) and eq(B, point(st["b"], "B", key=False)),
              f"option {o}: tally = sum of the last ballot of each of {len(last)} keys, weighted")
    if e.get("result"):
        S = e["decryptors"]
        check(len(S) == k and S == sorted(trustees[j]["index"] for j in S), f"decryptors {S}: threshold {k} trustees")
        lam = lagrange(S)
        for o, (A, B) in enumerate(tally):
            A_hex = e["tally"][o]["a"]
            acc = IDENTITY
            for j, lj in zip(S, lam):
                sh = trustees[j]["decryption"][o]
                good, _ = dleq(trustees[j]["verification_key"], A_hex, sh["d"], sh["proof"], ctx_decrypt(chain, eid, j, o))
                check(good, f"option {o}: trustee {j}'s decryption share proves it decrypts the tally")
                acc = add(acc, mul(lj, point(sh["d"], "D", key=False)))
            M = add(B, neg(acc))
            check(eq(M, mul(e["result"][o], G)), f"option {o}: B − Σλ·D = {e['result'][o]}·G")
    return ok


# ---- the vectors (section 12) ----


def vectors(v, say):
    ok = True

    def check(cond, what):
        nonlocal ok
        ok = ok and cond
        say(("ok   " if cond else "FAIL ") + what)

    check(hx(v["generator"]) == G_BYTES and G is not None, "generator")
    for i, c in enumerate(v["hash_to_scalar"]):
        got = H(c["name"], *[hx(p) for p in c["parts"]])
        check(got.to_bytes(32, "little").hex() == c["scalar"], f"hash_to_scalar[{i}] ({c['name']})")
    s = v["schnorr"]
    ctx = ctx_key(s["chain_id"], s["election"], s["trustee"])
    check(ctx.hex() == s["context"], "schnorr: KeyContext bytes")
    check(eq(mul(scalar(s["secret"], "x"), G), point(s["public"], "X")), "schnorr: X = x·G")
    good, c = schnorr(s["public"], s["proof"], ctx)
    check(good and c.to_bytes(32, "little").hex() == s["challenge"], "schnorr: proof and challenge")
    q = v["dleq"]
    ctx = ctx_decrypt(q["chain_id"], q["election"], q["trustee"], q["option"])
    check(ctx.hex() == q["context"], "dleq: DecryptContext bytes")
    good, c = dleq(q["x"], q["h"], q["z"], q["proof"], ctx)
    check(good and c.to_bytes(32, "little").hex() == q["challenge"], "dleq: proof and challenge")
    sh = v["dkg_share"]
    R = point(sh["encrypted"]["r"], "R")
    K = mul(scalar(sh["recipient_secret"], "x"), R)
    check(eq(K, point(sh["k"], "K")), "dkg_share: K = x·R")
    pad = H("share", ctx_share(sh["chain_id"], sh["election"], sh["dealer"], sh["to"]), hx(sh["recipient_key"]), hx(sh["encrypted"]["r"]), hx(sh["k"]))
    check(pad.to_bytes(32, "little").hex() == sh["pad"], "dkg_share: pad")
    check((scalar(sh["encrypted"]["s"], "S") - pad) % L == scalar(sh["share"], "share"), "dkg_share: S − pad = share")
    b = v["ballot"]
    m = b["ballot"]
    check(ctx_ballot(b["chain_id"], b["election"], hx(m["ballot_key"])).hex() == b["context"], "ballot: BallotContext bytes")
    try:
        good = ballot_ok(b["chain_id"], b["key"], b["options"], b["min_choices"], b["max_choices"], m)
    except Bad as x:
        good = False
        say("     " + str(x))
    check(good, "ballot: option and sum proofs")
    x = scalar(b["election_secret"], "election secret")
    for o, ch in enumerate(m["choices"]):
        M = add(point(ch["ct"]["b"], "B"), neg(mul(x, point(ch["ct"]["a"], "A"))))
        check(eq(M, G) if b["choices"][o] else is_identity(M), f"ballot: option {o} decrypts to {int(b['choices'][o])}")
    bb = ballot_bytes(m)
    check(bb.hex() == b["ballot_bytes"], "ballot: ballot bytes")
    check(hashlib.sha256(bb).hexdigest() == b["tracker"], "ballot: tracker")
    cr = v["credential"]
    n, e = der_rsa_key(hx(cr["key"]))
    check(pow(int.from_bytes(hx(cr["blind_sig"]), "big"), e, n) == int.from_bytes(hx(cr["blinded"]), "big"), "credential: blind_sig^e mod n = blinded")
    check(pss_verify(n, e, hx(cr["message"]), hx(cr["signature"])), "credential: RSA-PSS signature over the message")
    return verify_election(v["election"], say) and ok


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--election":
        ok = verify_election(json.load(open(args[1])), print)
    elif len(args) == 1:
        ok = vectors(json.load(open(args[0])), print)
    else:
        sys.exit(__doc__)
    print("clean" if ok else "PROBLEMS FOUND")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
