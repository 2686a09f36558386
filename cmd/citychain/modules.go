package main

import "github.com/spf13/cobra"

// cliModule is one chain module's part of the command line: the commands it
// adds under `citychain tx` and under `citychain query` (either may be nil).
// Each module keeps its commands in its own file (bank.go, vehicles.go...).
type cliModule struct {
	name  string
	tx    func(g *globals, f *txFlags) []*cobra.Command
	query func(g *globals, f *queryFlags) []*cobra.Command
}

// cliModules lists the chain modules' commands in module-list order
// (chain/app/modules.go). A new module adds one row.
func cliModules() []cliModule {
	return []cliModule{
		{"auth", newTxAuthCmds, newQueryAuthCmds},
		{"bank", one(newTxBankCmd), one(newQueryBankCmd)},
		{"devices", one(newTxDeviceCmd), newQueryDeviceCmds},
		{"metering", one(newTxMeteringCmd), one(func(g *globals, _ *queryFlags) *cobra.Command { return newReadingProofCmd(g) })},
		{"market", one(newTxMarketCmd), one(newQueryMarketCmd)},
		{"mileage", one(newTxMileageCmd), one(newQueryMileageCmd)},
		{"vehicles", one(newTxVehiclesCmd), one(newQueryVehiclesCmd)},
		{"credentials", newTxCredentialCmds, newQueryCredentialCmds},
		{"certificates", newTxCertificateCmds, newQueryCertificateCmds},
		{"identity", newTxIdentityCmds, newQueryIdentityCmds},
		{"registry", newTxRegistryCmds, newQueryRegistryCmds},
		{"voting", newTxVotingCmds, newQueryVotingCmds},
		{"labour", newTxLabourCmds, newQueryLabourCmds},
		{"contracts", newTxContractsCmds, newQueryContractsCmds},
		{"validators", one(newTxValidatorCmd), one(newQueryValidatorsCmd)},
	}
}

// one adapts a constructor of a single command to the list.
func one[F any](build func(g *globals, f F) *cobra.Command) func(g *globals, f F) []*cobra.Command {
	return func(g *globals, f F) []*cobra.Command { return []*cobra.Command{build(g, f)} }
}
