package voting

import (
	"encoding/json"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/tx"
)

// ExportGenesis implements module.Exporter: the module's state as a
// genesis section, read in key order. The parameters (when stored),
// proposals, supports, credential uses, elections, trustees, voters,
// requests and ballots are written out; the counters, queues, schedule
// and indexes are not: InitGenesis rebuilds them (App.Export checks the
// rebuild). A state with no key (a chain on the default parameters that
// never voted) exports no section, so golden state hashes do not move.
func (k *Keeper) ExportGenesis(ctx *module.Context) (json.RawMessage, error) {
	var g Genesis
	return module.ExportSection(Codespace, k.kv(ctx), &g, func(key, value []byte) error {
		switch key[0] {
		case prefixParams:
			g.Params = &tx.VotingParams{}
			return json.Unmarshal(value, g.Params)
		case prefixProposal:
			return module.AppendJSON(&g.Proposals, value)
		case prefixSupport:
			return module.AppendJSON(&g.Supports, value)
		case prefixPropCred:
			g.ProposalCredentials = append(g.ProposalCredentials, credentialUse(key, value))
		case prefixElection:
			return module.AppendJSON(&g.Elections, value)
		case prefixTrustee:
			t := GenesisTrustee{Election: idOf(key[1:9])}
			if err := json.Unmarshal(value, &t.Trustee); err != nil {
				return err
			}
			g.Trustees = append(g.Trustees, t)
		case prefixVoter:
			v := GenesisVoter{Election: idOf(key[1:9]), Weight: idOf(value)}
			copy(v.Identity[:], key[9:])
			g.Voters = append(g.Voters, v)
		case prefixRequest:
			return module.AppendJSON(&g.Requests, value)
		case prefixElecCred:
			g.ElectionCredentials = append(g.ElectionCredentials, credentialUse(key, value))
		case prefixBallot:
			return module.AppendJSON(&g.Ballots, value)
		case prefixCounter, prefixAnswerDue, prefixSupportEnds, prefixRequestSeq, prefixPending, prefixBallotKey, prefixTracker, prefixSchedule:
			// derived: rebuilt by InitGenesis
		default:
			return module.ErrUnknownKey
		}
		return nil
	}, func() error { return nil })
}

// credentialUse decodes a credential-use key (prefix | id | credential)
// and its value (the identity).
func credentialUse(key, value []byte) CredentialUse {
	u := CredentialUse{ID: idOf(key[1:9])}
	copy(u.Credential[:], key[9:41])
	copy(u.Identity[:], value)
	return u
}
