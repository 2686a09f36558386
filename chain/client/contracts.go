package client

import (
	"context"

	"github.com/citychain/citychain/chain/tx"
)

// Typed queries of the contracts module (see read.go): public-works
// contracts with their fixed breakdown and milestones, the instalments the
// prime owes its subcontractors, the lines and tiers of the public arrears
// view, and the parameters, decoded into the chain's types (chain/tx).
// The provable reads (a contract, an instalment, a line) take ReadOpts and
// prove presence or absence; the lists are answered at a height.

// ContractsParams reads the contracts module's parameters
// (/contracts/params).
func (c *Client) ContractsParams(ctx context.Context, height int64) (*tx.ContractsParams, error) {
	p, err := answer[tx.ContractsParams](ctx, c, "/contracts/params", requestJSON(struct{}{}), height)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// Contract reads public-works contract id (/contracts/contract); nil when
// there is none (with o.Prove, proven absent).
func (c *Client) Contract(ctx context.Context, id string, o ReadOpts) (*tx.Contract, *QueryResult, error) {
	return readJSON[tx.Contract](ctx, c, "/contracts/contract", requestJSON(tx.ContractRequest{ID: id}), o)
}

// Contracts is a page of contracts in id order, all or those where
// req.Party takes part (/contracts/contracts).
func (c *Client) Contracts(ctx context.Context, req tx.ContractsRequest, height int64) (*tx.ContractPage, int64, error) {
	return pageAnswer[tx.ContractPage](ctx, c, "/contracts/contracts", requestJSON(req), height)
}

// ContractInstalment reads what the prime owes a subcontractor for a
// milestone (/contracts/instalment); nil when it owes none (the
// subcontractor was paid directly, or the milestone is not released).
func (c *Client) ContractInstalment(ctx context.Context, req tx.InstalmentRequest, o ReadOpts) (*tx.Instalment, *QueryResult, error) {
	return readJSON[tx.Instalment](ctx, c, "/contracts/instalment", requestJSON(req), o)
}

// ContractInstalments reads every instalment of a contract in (milestone,
// subcontractor) order (/contracts/instalments).
func (c *Client) ContractInstalments(ctx context.Context, contract string, height int64) (*tx.InstalmentList, error) {
	l, err := answer[tx.InstalmentList](ctx, c, "/contracts/instalments", requestJSON(tx.InstalmentsRequest{Contract: contract}), height)
	if err != nil {
		return nil, err
	}
	return &l, nil
}

// ContractLine reads one party's line of a contract's arrears view in a
// tier (/contracts/line); nil when the party has none (owed 0, paid 0;
// with o.Prove, proven absent).
func (c *Client) ContractLine(ctx context.Context, req tx.ArrearsLineRequest, o ReadOpts) (*tx.ArrearsLine, *QueryResult, error) {
	return readJSON[tx.ArrearsLine](ctx, c, "/contracts/line", requestJSON(req), o)
}

// ContractArrears reads a contract's arrears view: owed, overdue and paid
// per tier, the labour tier from the labour module's project lines
// (/contracts/arrears).
func (c *Client) ContractArrears(ctx context.Context, id string, height int64) (*tx.ContractArrears, error) {
	a, err := answer[tx.ContractArrears](ctx, c, "/contracts/arrears", requestJSON(tx.ContractRequest{ID: id}), height)
	if err != nil {
		return nil, err
	}
	return &a, nil
}
