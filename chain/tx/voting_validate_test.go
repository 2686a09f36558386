package tx

import (
	"crypto/ed25519"
	"strings"
	"testing"
)

// TestVotingValidateBasic: each voting message's stateless checks, each
// refusal naming its field.
func TestVotingValidateBasic(t *testing.T) {
	key := PubKey(ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey))
	addr := key.Address()
	el := &VotingEligibility{Evidence: RegistryEvidence{JWT: "a.b.c", Anchor: 1, HolderSig: make(HexBytes, 64)}, Disclosure: "WyJzIiwibiIsdHJ1ZV0"}
	propose := func(f func(m *MsgVotingPropose)) *MsgVotingPropose {
		m := &MsgVotingPropose{Title: "T", Summary: "S", BodyHash: Hash32{1}, Department: addr, Eligibility: el}
		f(m)
		return m
	}
	create := func(f func(m *MsgVotingCreateElection)) *MsgVotingCreateElection {
		m := &MsgVotingCreateElection{Title: "T", Question: "Q", Options: []string{"a", "b"}, MaxChoices: 1, Rule: RuleResidents,
			CredentialKeys: []VoteCredentialKey{{Weight: 1, Key: HexBytes{1}}}, OpenHeight: 10, CloseHeight: 20, Trustees: []Address{addr, {1}}, Threshold: 1}
		f(m)
		return m
	}
	cast := func(f func(m *MsgVotingCast)) *MsgVotingCast {
		m := &MsgVotingCast{Election: 1, BallotKey: key, Weight: 1, Credential: HexBytes{1}, Choices: []VoteChoice{{Proof: make([]VoteBranch, 2)}}}
		f(m)
		return m
	}
	for _, c := range []struct {
		name string
		msg  Msg
		want string
	}{
		{"propose", propose(func(*MsgVotingPropose) {}), ""},
		{"propose without a title", propose(func(m *MsgVotingPropose) { m.Title = "" }), "title"},
		{"propose a long summary", propose(func(m *MsgVotingPropose) { m.Summary = strings.Repeat("s", MaxVoteText+1) }), "summary"},
		{"propose without a body hash", propose(func(m *MsgVotingPropose) { m.BodyHash = Hash32{} }), "body_hash"},
		{"propose without a department", propose(func(m *MsgVotingPropose) { m.Department = Address{} }), "department"},
		{"propose with a long uri", propose(func(m *MsgVotingPropose) { m.URI = strings.Repeat("u", MaxVoteURI+1) }), "uri"},
		{"propose with a bad holder signature", propose(func(m *MsgVotingPropose) {
			m.Eligibility = &VotingEligibility{Evidence: RegistryEvidence{JWT: "a.b.c", Anchor: 1}, Disclosure: "x"}
		}), "eligibility.evidence: holder_sig"},
		{"propose without a disclosure", propose(func(m *MsgVotingPropose) {
			m.Eligibility = &VotingEligibility{Evidence: el.Evidence}
		}), "eligibility.disclosure"},
		{"support proposal 0", &MsgVotingSupport{}, "proposal"},
		{"answer an unknown level", &MsgVotingAnswer{Proposal: 1, Level: "council", Answer: "a"}, "level"},
		{"answer nothing", &MsgVotingAnswer{Proposal: 1, Level: LevelMayor}, "answer"},
		{"create", create(func(*MsgVotingCreateElection) {}), ""},
		{"create 17 options", create(func(m *MsgVotingCreateElection) { m.Options = make([]string, MaxVoteOptions+1) }), "options"},
		{"create an empty option", create(func(m *MsgVotingCreateElection) { m.Options[1] = "" }), "options[1]"},
		{"create with an unknown rule", create(func(m *MsgVotingCreateElection) { m.Rule = "all" }), "rule"},
		{"create a zero weight", create(func(m *MsgVotingCreateElection) { m.Voters = []VoteWeight{{Identity: addr}} }), "voters[0].weight"},
		{"create without keys", create(func(m *MsgVotingCreateElection) { m.CredentialKeys = nil }), "credential_keys"},
		{"create without a threshold", create(func(m *MsgVotingCreateElection) { m.Threshold = 0 }), "threshold"},
		{"create a zero trustee", create(func(m *MsgVotingCreateElection) { m.Trustees[1] = Address{} }), "trustees[1]"},
		{"add no voters", &MsgVotingAddVoters{Election: 1}, "voters"},
		{"a deal without shares", &MsgVotingDKGDeal{Election: 1, Commitments: make([]Elem, 1)}, "shares"},
		{"a share to trustee 0", &MsgVotingDKGDeal{Election: 1, Commitments: make([]Elem, 1), Shares: []VoteEncShare{{}}}, "shares[0].to"},
		{"a complaint against dealer 0", &MsgVotingDKGComplain{Election: 1}, "dealer"},
		{"a request without a blinded message", &MsgVotingRequestCredential{Election: 1}, "blinded"},
		{"an issue without an identity", &MsgVotingIssueCredential{Election: 1, BlindSig: HexBytes{1}}, "identity"},
		{"cast", cast(func(*MsgVotingCast) {}), ""},
		{"cast a short key", cast(func(m *MsgVotingCast) { m.BallotKey = key[:31] }), "ballot_key"},
		{"cast weight 0", cast(func(m *MsgVotingCast) { m.Weight = 0 }), "weight"},
		{"cast without a credential", cast(func(m *MsgVotingCast) { m.Credential = nil }), "credential"},
		{"cast three branches", cast(func(m *MsgVotingCast) { m.Choices[0].Proof = make([]VoteBranch, 3) }), "choices[0].proof"},
		{"cast no choices", cast(func(m *MsgVotingCast) { m.Choices = nil }), "choices"},
		{"decrypt nothing", &MsgVotingDecrypt{Election: 1}, "shares"},
		{"publish in election 0", &MsgVotingPublish{Counts: []uint64{1}}, "election"},
	} {
		err := c.msg.ValidateBasic()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: got %v, want valid", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: got %v, want an error naming %q", c.name, err, c.want)
		}
	}
}
