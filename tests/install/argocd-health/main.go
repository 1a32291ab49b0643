// argocd-health evaluates an Argo CD health check with Argo CD's own Lua engine: the util/lua
// package of github.com/argoproj/argo-cd/v3 (gopher-lua), called the way the application
// controller calls it for a health check installed through argocd-cm
// (resource.customizations.health.<group>_<kind>): as a resource override, without Lua's open
// libraries (Argo CD enables them only with resource.customizations.useOpenLibs.<group>_<kind>).
//
//	argocd-health HEALTH_LUA OBJECT.yaml...   one JSON line per object: {"file","status","message"}
//	argocd-health -test DIR                   every case of DIR/health_test.yaml against DIR/health.lua
//
// Exit code 1 when the script fails on an object or (with -test) a case does not match.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/argoproj/argo-cd/v3/util/lua"
	"github.com/argoproj/gitops-engine/pkg/health"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

type result struct {
	File    string `json:"file"`
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
}

type testFile struct {
	Tests []struct {
		InputPath    string              `json:"inputPath"`
		HealthStatus health.HealthStatus `json:"healthStatus"`
	} `json:"tests"`
}

func main() {
	testDir := flag.String("test", "", "run DIR/health_test.yaml against DIR/health.lua")
	flag.Parse()
	var ok bool
	switch {
	case *testDir != "" && flag.NArg() == 0:
		ok = runTests(*testDir)
	case *testDir == "" && flag.NArg() >= 2:
		ok = evaluate(flag.Arg(0), flag.Args()[1:])
	default:
		fmt.Fprintln(os.Stderr, "usage: argocd-health HEALTH_LUA OBJECT.yaml... | argocd-health -test DIR")
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

func evaluate(script string, files []string) bool {
	ok := true
	out := json.NewEncoder(os.Stdout)
	for _, f := range files {
		r := healthOf(script, f)
		ok = ok && r.Error == ""
		if err := out.Encode(r); err != nil {
			fmt.Fprintln(os.Stderr, "argocd-health:", err)
			return false
		}
	}
	return ok
}

func runTests(dir string) bool {
	raw, err := os.ReadFile(filepath.Join(dir, "health_test.yaml"))
	var tf testFile
	if err == nil {
		err = yaml.Unmarshal(raw, &tf)
	}
	if err != nil || len(tf.Tests) == 0 {
		fmt.Fprintf(os.Stderr, "argocd-health: %s/health_test.yaml: no test cases (%v)\n", dir, err)
		return false
	}
	failed := 0
	for _, t := range tf.Tests {
		r := healthOf(filepath.Join(dir, "health.lua"), filepath.Join(dir, t.InputPath))
		want := t.HealthStatus
		if r.Error != "" || r.Status != string(want.Status) || r.Message != want.Message {
			failed++
			fmt.Printf("FAIL %s: got %s %q%s, want %s %q\n", t.InputPath, r.Status, r.Message, r.Error, want.Status, want.Message)
		} else {
			fmt.Printf("ok   %s: %s %q\n", t.InputPath, r.Status, r.Message)
		}
	}
	fmt.Printf("%d of %d cases passed\n", len(tf.Tests)-failed, len(tf.Tests))
	return failed == 0
}

// healthOf runs the script on one object as Argo CD's controller would for an argocd-cm override.
func healthOf(script, file string) result {
	r := result{File: file}
	lua1, err := os.ReadFile(script)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	obj := map[string]any{}
	if err := yaml.Unmarshal(raw, &obj); err != nil {
		r.Error = fmt.Sprintf("%s: %v", file, err)
		return r
	}
	u := &unstructured.Unstructured{Object: obj}
	key := lua.GetConfigMapKey(u.GroupVersionKind())
	overrides := lua.ResourceHealthOverrides{key: v1alpha1.ResourceOverride{HealthLua: string(lua1)}}
	hs, err := overrides.GetResourceHealth(u)
	switch {
	case err != nil:
		r.Error = err.Error()
	case hs == nil:
		r.Error = "no health check for " + key
	default:
		r.Status, r.Message = string(hs.Status), hs.Message
	}
	return r
}
