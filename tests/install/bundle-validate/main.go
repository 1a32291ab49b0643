// bundle-validate runs the validators of github.com/operator-framework/api — the library behind
// `operator-sdk bundle validate` — on a registry+v1 bundle directory: the default bundle validators
// plus the optional suite "operatorframework" (OperatorHub metadata, standard capabilities and
// categories, deprecated APIs, good practices). operator-sdk itself cannot be fetched here, so the
// stage script builds this instead. Exit code 1 when any validator reports an error; warnings are
// printed and, with -strict, also fail.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/operator-framework/api/pkg/manifests"
	"github.com/operator-framework/api/pkg/validation"
	interfaces "github.com/operator-framework/api/pkg/validation/interfaces"
)

func main() {
	strict := flag.Bool("strict", false, "fail on warnings too")
	k8sVersion := flag.String("k8s-version", "", "Kubernetes version for the deprecated-API check (default: the CSV's minKubeVersion)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: bundle-validate [-strict] [-k8s-version X.Y] BUNDLE_DIR")
		os.Exit(2)
	}
	bundle, err := manifests.GetBundleFromDir(flag.Arg(0))
	if err != nil {
		fmt.Fprintf(os.Stderr, "ERROR: cannot load bundle %s: %v\n", flag.Arg(0), err)
		os.Exit(1)
	}
	validators := interfaces.Validators{}
	validators = append(validators, validation.DefaultBundleValidators...)
	validators = append(validators,
		validation.OperatorHubV2Validator,
		validation.StandardCapabilitiesValidator,
		validation.StandardCategoriesValidator,
		validation.AlphaDeprecatedAPIsValidator,
		validation.GoodPracticesValidator,
	)
	optional := map[string]string{}
	if *k8sVersion != "" {
		optional["k8s-version"] = *k8sVersion
	}
	objs := append(bundle.ObjectsToValidate(), optional)
	errs, warns := 0, 0
	for _, result := range validators.Validate(objs...) {
		for _, e := range result.Errors {
			errs++
			fmt.Printf("ERROR: %s: %s\n", result.Name, e.Error())
		}
		for _, w := range result.Warnings {
			warns++
			fmt.Printf("WARN: %s: %s\n", result.Name, w.Error())
		}
	}
	fmt.Printf("bundle %s (%s): %d errors, %d warnings\n", flag.Arg(0), bundle.CSV.GetName(), errs, warns)
	if errs > 0 || (*strict && warns > 0) {
		os.Exit(1)
	}
}
