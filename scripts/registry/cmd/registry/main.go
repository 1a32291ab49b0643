// The registry CephaloProxy's release flow pushes to (scripts/registry/up.sh): the CNCF Distribution
// registry's serve/garbage-collect commands with only the file-system storage driver linked in (the
// cloud drivers of upstream's cmd/registry are not needed here and triple the build time).
package main

import (
	"os"

	"github.com/distribution/distribution/v3/registry"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
)

func main() {
	if err := registry.RootCmd.Execute(); err != nil {
		os.Exit(1)
	}
}
