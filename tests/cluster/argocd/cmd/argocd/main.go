// argocd runs the two Argo CD v3.1.9 components the cluster suite deploys (Argo CD "core": no API
// server, no UI, no Dex), built from Argo CD's own Go packages:
//
//	argocd application-controller [flags]   github.com/argoproj/argo-cd/v3/cmd/argocd-application-controller
//	argocd repo-server [flags]              github.com/argoproj/argo-cd/v3/cmd/argocd-repo-server
//
// Upstream ships one binary that picks the component by its file name (a symbolic link per
// component); the images here have no shell to make links with, so the component is the first
// argument instead. Everything after it is the component's own command line.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"

	appcontroller "github.com/argoproj/argo-cd/v3/cmd/argocd-application-controller/commands"
	reposerver "github.com/argoproj/argo-cd/v3/cmd/argocd-repo-server/commands"
	"github.com/argoproj/argo-cd/v3/cmd/util"
	"github.com/argoproj/argo-cd/v3/util/log"
)

func main() {
	// as upstream's main: klog (client-go) logs through Argo CD's configured logrus logger
	klog.SetLogger(log.NewLogrusLogger(log.NewWithCurrentConfig()))
	var command *cobra.Command
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "application-controller":
			command = appcontroller.NewCommand()
		case "repo-server":
			command = reposerver.NewCommand()
		}
	}
	if command == nil {
		fmt.Fprintln(os.Stderr, "usage: argocd application-controller|repo-server [flags]")
		os.Exit(2)
	}
	util.SetAutoMaxProcs(false)
	command.SetArgs(os.Args[2:])
	if err := command.Execute(); err != nil {
		os.Exit(1)
	}
}
