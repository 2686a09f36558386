package main

import (
	"github.com/spf13/cobra"

	"github.com/citychain/citychain/settlement/readings"
)

// defaultInfluxURL is the InfluxDB of the commands that need one.
const defaultInfluxURL = "http://127.0.0.1:8086"

// influxFlags points at the settings the InfluxDB flags of a command set;
// a nil measurement leaves --measurement out.
type influxFlags struct {
	url, token, org, bucket, measurement *string
}

// register adds --influx-url (default url, described by urlUsage),
// --influx-token, --influx-org, --influx-bucket and --measurement to cmd.
// The token's default, $CITYCHAIN_INFLUX_TOKEN, is read by fromEnv in the
// command's run.
func (p influxFlags) register(cmd *cobra.Command, url, urlUsage string) {
	f := cmd.Flags()
	f.StringVar(p.url, "influx-url", url, urlUsage)
	f.StringVar(p.token, "influx-token", "", "InfluxDB token, any value when authentication is off (default $"+envInfluxToken+")")
	f.StringVar(p.org, "influx-org", "", "InfluxDB organisation (2.x; ignored by 1.8)")
	f.StringVar(p.bucket, "influx-bucket", "citychain/autogen", "InfluxDB bucket (1.8: database/retention-policy)")
	if p.measurement != nil {
		f.StringVar(p.measurement, "measurement", readings.DefaultMeasurement, "InfluxDB measurement of the readings")
	}
}
