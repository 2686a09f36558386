package api

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cometbft/cometbft/types"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// Status is the network's state as the dashboard shows it.
type Status struct {
	ChainID         string    `json:"chain_id"`
	Height          int64     `json:"height"`
	BlockTime       time.Time `json:"block_time"`
	CatchingUp      bool      `json:"catching_up"`
	Validators      int       `json:"validators"`
	VotingPower     int64     `json:"voting_power"`
	AvgBlockSeconds float64   `json:"avg_block_seconds"`
	IntervalSeconds uint64    `json:"interval_seconds"`
	CurrentInterval uint64    `json:"current_interval"`
}

func (s *Server) intervalSeconds(r *http.Request) (uint64, error) {
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, res, err := s.node.MeteringParams(ctx, client.ReadOpts{})
	if err != nil {
		return 0, err
	}
	if p == nil {
		return 0, fmt.Errorf("%w: %s %s", client.ErrNotFound, res.Path, res.Data)
	}
	if p.IntervalSeconds == 0 {
		return 0, fmt.Errorf("metering params: interval_seconds is 0")
	}
	return p.IntervalSeconds, nil
}

// currentInterval is floor(latest block time / interval length).
func (s *Server) currentInterval(r *http.Request) (uint64, error) {
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	st, err := s.node.RPC().Status(ctx)
	if err != nil {
		return 0, err
	}
	secs, err := s.intervalSeconds(r)
	if err != nil {
		return 0, err
	}
	return uint64(st.SyncInfo.LatestBlockTime.Unix()) / secs, nil
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	st, err := s.node.RPC().Status(ctx)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	out := Status{
		ChainID: st.NodeInfo.Network, Height: st.SyncInfo.LatestBlockHeight,
		BlockTime: st.SyncInfo.LatestBlockTime, CatchingUp: st.SyncInfo.CatchingUp,
	}
	vals, err := s.node.RPC().Validators(ctx, nil, nil, nil)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	out.Validators = vals.Total
	for _, v := range vals.Validators {
		out.VotingPower += v.VotingPower
	}
	if out.Height > 1 {
		minH := max(1, out.Height-20)
		bc, err := s.node.RPC().BlockchainInfo(ctx, minH, out.Height)
		if err == nil && len(bc.BlockMetas) > 1 {
			first, last := bc.BlockMetas[len(bc.BlockMetas)-1], bc.BlockMetas[0]
			out.AvgBlockSeconds = last.Header.Time.Sub(first.Header.Time).Seconds() / float64(last.Header.Height-first.Header.Height)
		}
	}
	if secs, err := s.intervalSeconds(r); err == nil {
		out.IntervalSeconds = secs
		out.CurrentInterval = uint64(out.BlockTime.Unix()) / secs
	}
	writeJSON(w, http.StatusOK, out)
}

// Validator is one member of the validator set.
type Validator struct {
	Address     string `json:"address"`
	PubKey      string `json:"pubkey"`
	VotingPower int64  `json:"voting_power"`
}

func (s *Server) validators(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	var out []Validator
	perPage := 100
	for page := 1; ; page++ {
		p := page
		res, err := s.node.RPC().Validators(ctx, nil, &p, &perPage)
		if err != nil {
			s.nodeError(w, r, err)
			return
		}
		for _, v := range res.Validators {
			out = append(out, Validator{Address: v.Address.String(), PubKey: hex.EncodeToString(v.PubKey.Bytes()), VotingPower: v.VotingPower})
		}
		if len(out) >= res.Total || len(res.Validators) == 0 {
			break
		}
	}
	pg, err := paginate(r, out, func(v Validator) string { return v.Address })
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pg)
}

// Block is a block's header summary and its transaction hashes.
type Block struct {
	Height   int64     `json:"height"`
	Hash     string    `json:"hash"`
	Time     time.Time `json:"time"`
	Proposer string    `json:"proposer"`
	AppHash  string    `json:"app_hash"`
	NumTxs   int       `json:"num_txs"`
	Txs      []string  `json:"txs,omitempty"`
}

func txHash(raw []byte) string {
	h := tx.Hash(raw)
	return strings.ToUpper(hex.EncodeToString(h[:]))
}

// blocks lists blocks newest first; the cursor is the height to continue
// below.
func (s *Server) blocks(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	limit, err := limitParam(r, 20, 20)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	cur, err := cursorParam(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	st, err := s.node.RPC().Status(ctx)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	top := st.SyncInfo.LatestBlockHeight
	if cur != "" {
		below, err := strconv.ParseInt(cur, 10, 64)
		if err != nil || below < 1 {
			s.badRequest(w, r, badField("cursor", "the next_cursor of a previous page", "cursor is not one this API issued"))
			return
		}
		top = below - 1
	}
	p := Page[Block]{Items: []Block{}}
	if top >= 1 {
		bottom := max(1, top-int64(limit)+1)
		bc, err := s.node.RPC().BlockchainInfo(ctx, bottom, top)
		if err != nil {
			s.nodeError(w, r, err)
			return
		}
		for _, m := range bc.BlockMetas {
			p.Items = append(p.Items, Block{
				Height: m.Header.Height, Hash: m.BlockID.Hash.String(), Time: m.Header.Time,
				Proposer: m.Header.ProposerAddress.String(), AppHash: m.Header.AppHash.String(), NumTxs: m.NumTxs,
			})
		}
		if bottom > 1 {
			p.NextCursor = encodeCursor(strconv.FormatInt(bottom, 10))
		}
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) block(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	var hp *int64
	if v := r.PathValue("height"); v != "latest" {
		h, err := strconv.ParseInt(v, 10, 64)
		if err != nil || h < 1 {
			s.badRequest(w, r, badField("height", "a block height (1 or more) or \"latest\"", "height %q is not a block height", v))
			return
		}
		hp = &h
	}
	b, err := s.node.RPC().Block(ctx, hp)
	if err != nil {
		if strings.Contains(err.Error(), "must be less than or equal") || strings.Contains(err.Error(), "height") {
			s.problem(w, r, http.StatusNotFound, "not found", err.Error(), nil)
			return
		}
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, blockView(b.Block, b.BlockID.Hash.String()))
}

func blockView(b *types.Block, hash string) Block {
	out := Block{
		Height: b.Height, Hash: hash, Time: b.Time, Proposer: b.ProposerAddress.String(),
		AppHash: b.AppHash.String(), NumTxs: len(b.Txs), Txs: []string{},
	}
	for _, t := range b.Txs {
		out.Txs = append(out.Txs, txHash(t))
	}
	return out
}
