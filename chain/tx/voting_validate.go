package tx

import (
	"errors"
	"fmt"
	"slices"
)

// ValidateBasic of the voting messages: stateless checks of each field's
// form and size, each error naming the field. What needs the election or
// the parameters (an election's options, heights, trustees and keys; a
// ballot's shape against its election) is the voting module's check, with
// its own result codes.

// maxVoteDisclosure bounds an SD-JWT disclosure (base64url of [salt,
// name, value]); maxCredentialBytes an RSA credential, blinded message or
// blind signature (the modulus size); maxCredentialKeyBytes a credential
// key's PKIX DER.
const (
	maxVoteDisclosure     = 1024
	maxCredentialBytes    = MaxCredentialKeyBits / 8
	maxCredentialKeyBytes = 1024
)

func validateEligibility(e *VotingEligibility) error {
	if e == nil {
		return nil
	}
	var errs []error
	if err := e.Evidence.validateBasic(); err != nil {
		errs = append(errs, fmt.Errorf("eligibility.evidence: %w", err))
	}
	if e.Disclosure == "" || len(e.Disclosure) > maxVoteDisclosure {
		errs = append(errs, fmt.Errorf("eligibility.disclosure: %d bytes, want an SD-JWT disclosure of 1 to %d bytes", len(e.Disclosure), maxVoteDisclosure))
	}
	return errors.Join(errs...)
}

func requireID(field string, id uint64) error {
	if id == 0 {
		return fmt.Errorf("%s: want an id (from 1), got 0", field)
	}
	return nil
}

func validateVoters(field string, vs []VoteWeight) error {
	if len(vs) > MaxVotersPerTx {
		return fmt.Errorf("%s: %d voters, want at most %d per transaction", field, len(vs), MaxVotersPerTx)
	}
	var errs []error
	for i, v := range vs {
		if v.Identity.IsZero() {
			errs = append(errs, fmt.Errorf("%s[%d].identity: want an identity id", field, i))
		}
		if v.Weight == 0 || v.Weight > MaxVoteWeight {
			errs = append(errs, fmt.Errorf("%s[%d].weight: %d, want 1 to %d", field, i, v.Weight, MaxVoteWeight))
		}
	}
	return errors.Join(errs...)
}

func validateBranches(field string, bs []VoteBranch, max int) error {
	if len(bs) > max {
		return fmt.Errorf("%s: %d branches, want at most %d", field, len(bs), max)
	}
	return nil
}

// ValidateBasic implements Msg.
func (m *MsgVotingPropose) ValidateBasic() error {
	var bh error
	if m.BodyHash.IsZero() {
		bh = errors.New("body_hash: want the SHA-256 of the proposal's full text")
	}
	return errors.Join(validateText("title", m.Title, 1, MaxVoteTitle), validateText("summary", m.Summary, 1, MaxVoteText), bh,
		validateText("uri", m.URI, 0, MaxVoteURI), requireAddress("department", m.Department), validateEligibility(m.Eligibility))
}

// ValidateBasic implements Msg.
func (m *MsgVotingSupport) ValidateBasic() error {
	return errors.Join(requireID("proposal", m.Proposal), validateEligibility(m.Eligibility))
}

// ValidateBasic implements Msg.
func (m *MsgVotingAnswer) ValidateBasic() error {
	var level error
	if !slices.Contains(AnswerLevels, m.Level) {
		level = fmt.Errorf("level %q: want one of %v", m.Level, AnswerLevels)
	}
	return errors.Join(requireID("proposal", m.Proposal), level, validateText("answer", m.Answer, 1, MaxVoteText),
		validateText("uri", m.URI, 0, MaxVoteURI))
}

// ValidateBasic implements Msg. The election's structure (at least two
// distinct options, the choices, the rule, the weights and their keys,
// the heights, the trustees and the threshold) is the voting module's
// check (CodeVotingBadElection); here only the fields' forms and sizes.
func (m *MsgVotingCreateElection) ValidateBasic() error {
	errs := []error{validateText("title", m.Title, 1, MaxVoteTitle), validateText("question", m.Question, 1, MaxVoteText)}
	if len(m.Options) > MaxVoteOptions {
		errs = append(errs, fmt.Errorf("options: %d, want at most %d", len(m.Options), MaxVoteOptions))
	} else {
		for i, o := range m.Options {
			errs = append(errs, validateText(fmt.Sprintf("options[%d]", i), o, 1, MaxOptionText))
		}
	}
	if m.MinChoices > MaxVoteOptions || m.MaxChoices > MaxVoteOptions {
		errs = append(errs, fmt.Errorf("min_choices %d, max_choices %d: want at most %d", m.MinChoices, m.MaxChoices, MaxVoteOptions))
	}
	if m.Rule != RuleResidents && m.Rule != RuleListed {
		errs = append(errs, fmt.Errorf("rule %q: want %q or %q", m.Rule, RuleResidents, RuleListed))
	}
	errs = append(errs, validateVoters("voters", m.Voters))
	if len(m.CredentialKeys) == 0 || len(m.CredentialKeys) > MaxWeightClasses {
		errs = append(errs, fmt.Errorf("credential_keys: %d keys, want 1 to %d", len(m.CredentialKeys), MaxWeightClasses))
	}
	for i, k := range m.CredentialKeys {
		if k.Weight == 0 || k.Weight > MaxVoteWeight {
			errs = append(errs, fmt.Errorf("credential_keys[%d].weight: %d, want 1 to %d", i, k.Weight, MaxVoteWeight))
		}
		if len(k.Key) == 0 || len(k.Key) > maxCredentialKeyBytes {
			errs = append(errs, fmt.Errorf("credential_keys[%d].key: %d bytes, want a PKIX DER RSA public key of at most %d bytes", i, len(k.Key), maxCredentialKeyBytes))
		}
	}
	if m.OpenHeight == 0 {
		errs = append(errs, errors.New("open_height: want a height, got 0"))
	}
	if len(m.Trustees) > MaxTrustees {
		errs = append(errs, fmt.Errorf("trustees: %d, want at most %d", len(m.Trustees), MaxTrustees))
	}
	for i, a := range m.Trustees {
		errs = append(errs, requireAddress(fmt.Sprintf("trustees[%d]", i), a))
	}
	if m.Threshold == 0 {
		errs = append(errs, errors.New("threshold: want at least 1"))
	}
	return errors.Join(errs...)
}

// ValidateBasic implements Msg.
func (m *MsgVotingAddVoters) ValidateBasic() error {
	var none error
	if len(m.Voters) == 0 {
		none = errors.New("voters: want at least one voter")
	}
	return errors.Join(requireID("election", m.Election), none, validateVoters("voters", m.Voters))
}

// ValidateBasic implements Msg.
func (m *MsgVotingDKGKey) ValidateBasic() error { return requireID("election", m.Election) }

// ValidateBasic implements Msg.
func (m *MsgVotingDKGDeal) ValidateBasic() error {
	var errs []error
	if len(m.Commitments) == 0 || len(m.Commitments) >= MaxTrustees {
		errs = append(errs, fmt.Errorf("commitments: %d, want 1 to %d (the threshold)", len(m.Commitments), MaxTrustees-1))
	}
	if len(m.Shares) == 0 || len(m.Shares) >= MaxTrustees {
		errs = append(errs, fmt.Errorf("shares: %d, want 1 to %d (one per other trustee)", len(m.Shares), MaxTrustees-1))
	}
	for i, s := range m.Shares {
		if s.To == 0 || s.To > MaxTrustees {
			errs = append(errs, fmt.Errorf("shares[%d].to: %d, want a trustee index 1 to %d", i, s.To, MaxTrustees))
		}
	}
	return errors.Join(append([]error{requireID("election", m.Election)}, errs...)...)
}

// ValidateBasic implements Msg.
func (m *MsgVotingDKGComplain) ValidateBasic() error {
	var dealer error
	if m.Dealer == 0 || m.Dealer > MaxTrustees {
		dealer = fmt.Errorf("dealer: %d, want a trustee index 1 to %d", m.Dealer, MaxTrustees)
	}
	return errors.Join(requireID("election", m.Election), dealer)
}

// ValidateBasic implements Msg.
func (m *MsgVotingRequestCredential) ValidateBasic() error {
	var blinded error
	if len(m.Blinded) == 0 || len(m.Blinded) > maxCredentialBytes {
		blinded = fmt.Errorf("blinded: %d bytes, want a blinded message of 1 to %d bytes", len(m.Blinded), maxCredentialBytes)
	}
	return errors.Join(requireID("election", m.Election), blinded, validateEligibility(m.Eligibility))
}

// ValidateBasic implements Msg.
func (m *MsgVotingIssueCredential) ValidateBasic() error {
	var sig error
	if len(m.BlindSig) == 0 || len(m.BlindSig) > maxCredentialBytes {
		sig = fmt.Errorf("blind_sig: %d bytes, want a blind signature of 1 to %d bytes", len(m.BlindSig), maxCredentialBytes)
	}
	return errors.Join(requireID("election", m.Election), requireAddress("identity", m.Identity), sig)
}

// ValidateBasic implements Msg. The ballot's shape against its election
// (one choice per option, the sum's branches) is the voting module's
// check (CodeVotingBadBallot); here only the sizes.
func (m *MsgVotingCast) ValidateBasic() error {
	errs := []error{requireID("election", m.Election), ValidatePubKey("ballot_key", m.BallotKey)}
	if m.Weight == 0 || m.Weight > MaxVoteWeight {
		errs = append(errs, fmt.Errorf("weight: %d, want 1 to %d", m.Weight, MaxVoteWeight))
	}
	if len(m.Credential) == 0 || len(m.Credential) > maxCredentialBytes {
		errs = append(errs, fmt.Errorf("credential: %d bytes, want a blind RSA signature of 1 to %d bytes", len(m.Credential), maxCredentialBytes))
	}
	if len(m.Choices) == 0 || len(m.Choices) > MaxVoteOptions {
		errs = append(errs, fmt.Errorf("choices: %d, want 1 to %d", len(m.Choices), MaxVoteOptions))
	} else {
		for i, c := range m.Choices {
			errs = append(errs, validateBranches(fmt.Sprintf("choices[%d].proof", i), c.Proof, 2))
		}
	}
	errs = append(errs, validateBranches("sum", m.Sum, MaxVoteOptions+1))
	return errors.Join(errs...)
}

// ValidateBasic implements Msg.
func (m *MsgVotingDecrypt) ValidateBasic() error {
	var shares error
	if len(m.Shares) == 0 || len(m.Shares) > MaxVoteOptions {
		shares = fmt.Errorf("shares: %d, want one per option (1 to %d)", len(m.Shares), MaxVoteOptions)
	}
	return errors.Join(requireID("election", m.Election), shares)
}

// ValidateBasic implements Msg.
func (m *MsgVotingPublish) ValidateBasic() error {
	var counts error
	if len(m.Counts) == 0 || len(m.Counts) > MaxVoteOptions {
		counts = fmt.Errorf("counts: %d, want one per option (1 to %d)", len(m.Counts), MaxVoteOptions)
	}
	return errors.Join(requireID("election", m.Election), counts)
}
