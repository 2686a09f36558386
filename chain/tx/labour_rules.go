package tx

// defaultLabourRules is the built-in dated rule table: the rows in force
// before any labour/set_rule, from the 2025 and 2026 notices (minimum wage
// notices of the Ministry of Employment and Labor; the national pension,
// health and long-term care insurance and employment insurance employee
// shares; the 20 % late-pay interest of LSA art. 37, extended to current
// employees from 23 October 2025). In (effective, kind) order.
var defaultLabourRules = []LabourRule{
	{Kind: RuleMinWage, Effective: "2025-01-01", Value: 10_030},
	{Kind: RulePension, Effective: "2025-01-01", Value: 4_500},
	{Kind: RuleHealth, Effective: "2025-01-01", Value: 3_545},
	{Kind: RuleCare, Effective: "2025-01-01", Value: 12_950},
	{Kind: RuleEmployment, Effective: "2025-01-01", Value: 900},
	{Kind: RuleLateInterest, Effective: "2025-10-23", Value: 20_000},
	{Kind: RuleMinWage, Effective: "2026-01-01", Value: 10_320},
	{Kind: RulePension, Effective: "2026-01-01", Value: 4_750},
	{Kind: RuleHealth, Effective: "2026-01-01", Value: 3_595},
	{Kind: RuleCare, Effective: "2026-01-01", Value: 13_140},
}

// DefaultLabourRules returns a copy of the built-in dated rule table
// (later years are added as rows by labour/set_rule or genesis). The
// labour module's effective table is these rows followed by the added
// ones.
func DefaultLabourRules() []LabourRule {
	out := make([]LabourRule, len(defaultLabourRules))
	copy(out, defaultLabourRules)
	return out
}
