package voting_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/voting"
	"github.com/citychain/citychain/chain/tx"
)

func proposeMsg(el *tx.VotingEligibility) *tx.MsgVotingPropose {
	return &tx.MsgVotingPropose{Title: "More bike lanes on Mapo-daero", Summary: "Protected lanes from Gongdeok to Mapo bridge.",
		BodyHash: tx.Hash32{1}, URI: "https://democracy.seoul.go.kr/p/1", Department: dept.Addr, Eligibility: el}
}

// TestThresholds runs Seoul's thresholds as the default parameters have
// them (50, 100 and 1,000 distinct supporters), with no residency schema
// (every active identity counts): the 50th supporter fires
// voting.dept_answer_due, the 100th voting.forum_opened and the 1,000th
// voting.mayor_answer_due, each with its due time 30 days on; a
// supporter supporting again is refused and does not count; the levels
// are answered by their responsible roles only, in time (not late).
func TestThresholds(t *testing.T) {
	p := voting.DefaultParams()
	p.ResidencySchema, p.ResidencyClaim = "", ""
	c := newChain(t, &p)
	people := citizens("supporter", 1000)
	for i := 0; i < len(people); i += 250 {
		c.register(people[i : i+250]...)
	}
	res := c.ok("propose", people[0], proposeMsg(nil))
	id := attrU64(t, res, "voting.proposed", "proposal")
	if id != 1 || !apptest.HasEvent(res.Events, "voting.supported", "supports", "1") {
		t.Fatalf("proposal %d, events %v: want proposal 1 with its proposer as first supporter", id, res.Events)
	}
	c.fail("the proposer supporting again", people[0], &tx.MsgVotingSupport{Proposal: id}, tx.CodeVotingAlreadySupported, "already supports")

	fired := map[string]uint64{} // event -> the supports count that fired it
	support := func(from, to int) {
		var raws [][]byte
		for _, k := range people[from:to] {
			raws = append(raws, c.h.Sign(k, &tx.MsgVotingSupport{Proposal: id}))
		}
		for i, r := range c.block(raws...).TxResults {
			apptest.RequireOK(t, fmt.Sprintf("support %d", from+i), r)
			for _, ev := range []string{"voting.dept_answer_due", "voting.forum_opened", "voting.mayor_answer_due"} {
				if n, ok := apptest.Attr(r.Events, ev, "supports"); ok {
					if _, dup := fired[ev]; dup {
						t.Fatalf("%s fired twice", ev)
					}
					var v uint64
					fmt.Sscan(n, &v)
					fired[ev] = v
					if due, _ := apptest.Attr(r.Events, ev, "due"); due != fmt.Sprint(c.now.Unix()+30*86400) {
						t.Errorf("%s due %s, want %d", ev, due, c.now.Unix()+30*86400)
					}
				}
			}
		}
	}
	support(1, 49)
	if len(fired) != 0 || c.proposal(id).Supports != 49 {
		t.Fatalf("49 supporters: fired %v, proposal %+v", fired, c.proposal(id))
	}
	c.fail("a repeat supporter", people[10], &tx.MsgVotingSupport{Proposal: id}, tx.CodeVotingAlreadySupported)
	c.fail("the department answering too early", dept, &tx.MsgVotingAnswer{Proposal: id, Level: tx.LevelDepartment, Answer: "We will study it."},
		tx.CodeVotingLevelNotReached, "49 supports")
	support(49, 999)
	if fired["voting.dept_answer_due"] != 50 || fired["voting.forum_opened"] != 100 || fired["voting.mayor_answer_due"] != 0 {
		t.Fatalf("fired %v: want the department level at 50, the forum at 100, not the mayor's yet", fired)
	}
	if p := c.proposal(id); p.Supports != 999 || p.Levels[2].ReachedAt != 0 {
		t.Fatalf("999 supporters: %+v", p)
	}
	support(999, 1000)
	if fired["voting.mayor_answer_due"] != 1000 {
		t.Fatalf("the 1,000th supporter: fired %v", fired)
	}
	prop := c.proposal(id)
	if prop.Supports != 1000 {
		t.Fatalf("supports %d, want 1000", prop.Supports)
	}
	for i, l := range prop.Levels {
		if l.ReachedAt == 0 || l.Due != l.ReachedAt+30*86400 || l.Threshold != []uint64{50, 100, 1000}[i] {
			t.Errorf("level %d: %+v", i, l)
		}
	}

	// Answers: the department answers its level and the forum's; the
	// mayor level only a mayor; nobody twice.
	c.fail("another department", dept2, &tx.MsgVotingAnswer{Proposal: id, Level: tx.LevelDepartment, Answer: "Not ours."},
		tx.CodeVotingNotResponsible, dept.Addr.String())
	c.fail("a citizen answering for the mayor", people[3], &tx.MsgVotingAnswer{Proposal: id, Level: tx.LevelMayor, Answer: "Yes!"},
		tx.CodeVotingNotResponsible, tx.RoleMayor)
	c.fail("the department answering for the mayor", dept, &tx.MsgVotingAnswer{Proposal: id, Level: tx.LevelMayor, Answer: "Yes"},
		tx.CodeVotingNotResponsible, tx.RoleMayor)
	c.fail("the mayor answering for the department", mayor, &tx.MsgVotingAnswer{Proposal: id, Level: tx.LevelDepartment, Answer: "Yes"},
		tx.CodeVotingNotResponsible, "department")
	res = c.ok("department answer", dept, &tx.MsgVotingAnswer{Proposal: id, Level: tx.LevelDepartment, Answer: "Budgeted for 2027.", URI: "https://seoul.go.kr/a/1"})
	if !apptest.HasEvent(res.Events, "voting.answered", "level", tx.LevelDepartment, "late", "false") {
		t.Fatalf("answer events %v", res.Events)
	}
	c.ok("forum record", dept, &tx.MsgVotingAnswer{Proposal: id, Level: tx.LevelForum, Answer: "Forum held on 3 March."})
	c.ok("mayor answer", mayor, &tx.MsgVotingAnswer{Proposal: id, Level: tx.LevelMayor, Answer: "Approved."})
	c.fail("answering twice", dept, &tx.MsgVotingAnswer{Proposal: id, Level: tx.LevelDepartment, Answer: "Again."}, tx.CodeVotingAlreadyAnswered)
	for _, l := range c.proposal(id).Levels {
		if l.AnsweredAt == 0 || l.Late || l.Overdue {
			t.Errorf("level %s: %+v, want answered in time", l.Level, l)
		}
	}
	// Answered levels never turn overdue.
	c.jump(31 * 24 * time.Hour)
	c.block()
	for _, l := range c.proposal(id).Levels {
		if l.Overdue {
			t.Errorf("answered level %s turned overdue", l.Level)
		}
	}
	c.h.ExportRoundTrip(t)
}

// TestDeadlines (department answers due in 10 days, the forum in 20,
// supports for 30): a reached level unanswered at its due time turns overdue
// in the first block at or after it (event voting.answer_overdue, and in
// the proposal query); a later answer is recorded as late and the
// overdue mark stays. Supports end with the support period: a support
// after it is refused and the proposal closes (voting.proposal_closed).
// A proposal naming a department without the city_department role, or a
// support of a proposal that does not exist, is refused.
func TestDeadlines(t *testing.T) {
	p := smallParams(false)
	p.DepartmentDays, p.ForumDays = 10, 20
	c := newChain(t, p)
	people := citizens("citizen", 6)
	c.register(people...)
	c.fail("a department without the role", people[0], &tx.MsgVotingPropose{Title: "T", Summary: "S", BodyHash: tx.Hash32{1}, Department: mayor.Addr},
		tx.CodeVotingNotResponsible, tx.RoleCityDepartment)
	c.fail("an unknown proposal", people[0], &tx.MsgVotingSupport{Proposal: 9}, tx.CodeVotingUnknownProposal, "proposal 9")
	id := attrU64(t, c.ok("propose", people[0], proposeMsg(nil)), "voting.proposed", "proposal")
	created := c.now.Unix()
	res := c.ok("support 2", people[1], &tx.MsgVotingSupport{Proposal: id})
	if !apptest.HasEvent(res.Events, "voting.dept_answer_due", "proposal", "1", "supports", "2") {
		t.Fatalf("events %v", res.Events)
	}
	reached := c.now.Unix()
	res = c.ok("support 3", people[2], &tx.MsgVotingSupport{Proposal: id})
	if !apptest.HasEvent(res.Events, "voting.forum_opened", "supports", "3") {
		t.Fatalf("events %v", res.Events)
	}
	// Just before the department's due time nothing is overdue; the
	// first block at or after it marks it.
	c.now = time.Unix(reached+10*86400, 0).Add(-apptest.BlockInterval - time.Second)
	if fin := c.block(); apptest.HasEvent(fin.Events, "voting.answer_overdue") {
		t.Fatalf("overdue before the due time: %v", fin.Events)
	}
	fin := c.block()
	if !apptest.HasEvent(fin.Events, "voting.answer_overdue", "proposal", "1", "level", tx.LevelDepartment) {
		t.Fatalf("no voting.answer_overdue at the due time %d (block %d): %v %+v", reached+10*86400, c.now.Unix(), fin.Events, c.proposal(id).Levels)
	}
	if p := c.proposal(id); !p.Levels[0].Overdue || p.Levels[1].Overdue {
		t.Fatalf("levels %+v: want the department level overdue, the forum's not yet", p.Levels)
	}
	res = c.ok("late answer", dept, &tx.MsgVotingAnswer{Proposal: id, Level: tx.LevelDepartment, Answer: "Sorry for the delay."})
	if !apptest.HasEvent(res.Events, "voting.answered", "late", "true") {
		t.Fatalf("events %v", res.Events)
	}
	if l := c.proposal(id).Levels[0]; !l.Late || !l.Overdue || l.Answer == "" {
		t.Fatalf("late answer: %+v", l)
	}
	c.fail("the mayor level, not reached", mayor, &tx.MsgVotingAnswer{Proposal: id, Level: tx.LevelMayor, Answer: "x"}, tx.CodeVotingLevelNotReached)

	// The support period (30 days from creation) ends: the proposal
	// closes in the first block at or after it, and supports are refused.
	c.now = time.Unix(created+30*86400, 0).Add(-apptest.BlockInterval)
	if fin := c.block(); !apptest.HasEvent(fin.Events, "voting.proposal_closed", "proposal", "1", "supports", "3") {
		t.Fatalf("no voting.proposal_closed at the end of the support period: %v", fin.Events)
	}
	c.fail("a support after the period", people[3], &tx.MsgVotingSupport{Proposal: id}, tx.CodeVotingProposalClosed, "took supports until")
	if p := c.proposal(id); p.Status != tx.ProposalClosed || p.Supports != 3 {
		t.Fatalf("proposal %+v: want closed with 3 supports", p)
	}

	// Provable reads: the proposal, a support present and one absent.
	c.proven("proposal", c.raw("proposal", tx.VotingIDRequest{ID: id}, true), true)
	c.proven("support", c.raw("support", tx.VotingItemRequest{ID: id, Identity: people[1].Addr}, true), true)
	c.proven("no support", c.raw("support", tx.VotingItemRequest{ID: id, Identity: people[4].Addr}, true), false)
	c.proven("no proposal", c.raw("proposal", tx.VotingIDRequest{ID: 7}, true), false)
	s := query[voting.Support](c, "support", tx.VotingItemRequest{ID: id, Identity: people[1].Addr})
	if s.Proposal != id || s.Identity != people[1].Addr || s.Height == 0 {
		t.Fatalf("support %+v", s)
	}
	page := query[tx.VoteProposalPage](c, "proposals", tx.VotingPageRequest{})
	if len(page.Proposals) != 1 || page.Next != 0 {
		t.Fatalf("proposals page %+v", page)
	}
	c.h.ExportRoundTrip(t)
}
