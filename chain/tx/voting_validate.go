package tx

// ValidateBasic of the voting messages: stateless checks, each error naming
// the field. (Filled in by the voting module's work.)

func (m *MsgVotingPropose) ValidateBasic() error           { return nil }
func (m *MsgVotingSupport) ValidateBasic() error           { return nil }
func (m *MsgVotingAnswer) ValidateBasic() error            { return nil }
func (m *MsgVotingCreateElection) ValidateBasic() error    { return nil }
func (m *MsgVotingAddVoters) ValidateBasic() error         { return nil }
func (m *MsgVotingDKGKey) ValidateBasic() error            { return nil }
func (m *MsgVotingDKGDeal) ValidateBasic() error           { return nil }
func (m *MsgVotingDKGComplain) ValidateBasic() error       { return nil }
func (m *MsgVotingRequestCredential) ValidateBasic() error { return nil }
func (m *MsgVotingIssueCredential) ValidateBasic() error   { return nil }
func (m *MsgVotingCast) ValidateBasic() error              { return nil }
func (m *MsgVotingDecrypt) ValidateBasic() error           { return nil }
func (m *MsgVotingPublish) ValidateBasic() error           { return nil }
