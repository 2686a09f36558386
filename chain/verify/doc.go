// Package verify is the verifier side of the citizen card, eligibility
// credentials and civil certificates: a facility reader's decision on a
// card holder (Entry), a registered verifier's verdict on a credential
// presentation (Presentation), and the verdict on a certificate
// presentation (Certificate), reading the chain through a Source: a node
// (Online, every read proven against a trust root when the client holds
// one) or an offline Snapshot refused once older than its bound.
//
// The formats it checks (challenge, entry response, presentation
// envelope, requests) are chain/wallet's; see README.md for the checks and
// their stable refusal reasons.
package verify
