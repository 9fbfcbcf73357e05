// Command terway-oracle runs terway-controlplane's own admission code (github.com/AliyunContainerService/terway,
// the version pinned in go.mod) on a batch of cases: the PodNetworking validating webhook, the mutating
// webhook (PodNetworking defaults from eni-config, the pod webhook's PodNetworking match) and the
// eni-config readers of the daemon and of the controlplane. Kubernetes objects come from
// controller-runtime's fake client; nothing is reimplemented here.
//
// stdin: a JSON array of cases, each {"op": ..., ...}; stdout: one verdict per case (see the op* functions).
// Flag -custom-stateful-kinds=A,B is terway-controlplane's customStatefulWorkloadKinds (a process-wide
// setting in Terway, utils.SetStsKinds), so it is one per batch.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/AliyunContainerService/terway/pkg/apis/network.alibabacloud.com/v1beta1"
	"github.com/AliyunContainerService/terway/pkg/controller/webhook"
	"github.com/AliyunContainerService/terway/pkg/utils"
	"github.com/AliyunContainerService/terway/types/controlplane"
	"github.com/AliyunContainerService/terway/types/daemon"
	jsonpatch "github.com/evanphx/json-patch/v5"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/managedfields"
	clientgoapplyconfigurations "k8s.io/client-go/applyconfigurations"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"ackstack/go/oracles/internal/batch"
)

type podNetworking struct {
	Name   string          `json:"name"`
	Spec   json.RawMessage `json:"spec"`
	Status json.RawMessage `json:"status"`
}

type tcase struct {
	Op             string          `json:"op"`
	Spec           json.RawMessage `json:"spec"`
	InjectResource *bool           `json:"injectResource"`
	EnableTrunk    *bool           `json:"enableTrunk"`
	EniConf        *string         `json:"eniConf"`
	Text           string          `json:"text"`
	PodNetworkings []podNetworking `json:"podNetworkings"`
	Namespace      struct {
		Name   string            `json:"name"`
		Labels map[string]string `json:"labels"`
	} `json:"namespace"`
	Pod struct {
		Labels    map[string]string `json:"labels"`
		OwnerKind string            `json:"ownerKind"`
	} `json:"pod"`
}

// verdict is an admission answer: allowed, HTTP-ish code and Terway's message.
type verdict struct {
	Allowed bool    `json:"allowed"`
	Code    int32   `json:"code"`
	Message string  `json:"message"`
	Error   *string `json:"error,omitempty"`
	// mutate: the spec after the patch; pod: the PodNetworking annotated on the pod (or null).
	Spec          json.RawMessage `json:"spec,omitempty"`
	PodNetworking *string         `json:"podNetworking,omitempty"`
	Patched       bool            `json:"patched"`
	// pod: the extended resources the webhook requested for the first container (aliyun/member-eni, aliyun/eni).
	Resources map[string]string `json:"resources,omitempty"`
}

var (
	scheme = runtime.NewScheme()
	// Built once: the fake client's default type converters (client-go's apply configurations) cost
	// milliseconds per client, and every case gets a client of its own.
	typeConverters []managedfields.TypeConverter
)

func main() {
	kinds := flag.String("custom-stateful-kinds", "", "comma-separated customStatefulWorkloadKinds")
	flag.Parse()
	if *kinds != "" {
		utils.SetStsKinds(strings.Split(*kinds, ","))
	}
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		panic(err)
	}
	if err := v1beta1.AddToScheme(scheme); err != nil {
		panic(err)
	}
	// As fake.ClientBuilder.Build makes them: client-go's scheme only, then the deduced converter.
	clientGoScheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(clientGoScheme); err != nil {
		panic(err)
	}
	typeConverters = []managedfields.TypeConverter{clientgoapplyconfigurations.NewTypeConverter(clientGoScheme),
		managedfields.NewDeducedTypeConverter()}
	batch.Run(answer)
}

func answer(raw json.RawMessage) any {
	var c tcase
	if err := json.Unmarshal(raw, &c); err != nil {
		return map[string]any{"error": "bad case: " + err.Error()}
	}
	switch c.Op {
	case "validate":
		return opValidate(c)
	case "mutate":
		return opMutate(c)
	case "admit":
		return opAdmit(c)
	case "pod":
		return opPod(c)
	case "eniconf":
		return opEniConf(c)
	}
	return map[string]any{"error": "unknown op " + c.Op}
}

func config(c tcase) *controlplane.Config {
	// types/controlplane/config.go ParseAndValidate defaults both pointers to true.
	inject, trunk := c.InjectResource, c.EnableTrunk
	if inject == nil {
		inject = ptr.To(true)
	}
	if trunk == nil {
		trunk = ptr.To(true)
	}
	return &controlplane.Config{EnableWebhookInjectResource: inject, EnableTrunk: trunk}
}

func podNetworkingObject(name string, spec json.RawMessage) []byte {
	if len(spec) == 0 {
		spec = json.RawMessage("{}")
	}
	obj := map[string]any{
		"apiVersion": "network.alibabacloud.com/v1beta1",
		"kind":       "PodNetworking",
		"metadata":   map[string]any{"name": name},
		"spec":       spec,
	}
	data, err := json.Marshal(obj)
	if err != nil {
		panic(err)
	}
	return data
}

func request(kind, namespace string, object []byte) admission.Request {
	return admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		UID:       "oracle",
		Kind:      metav1.GroupVersionKind{Kind: kind},
		Namespace: namespace,
		Operation: admissionv1.Create,
		Object:    runtime.RawExtension{Raw: object},
	}}
}

func toVerdict(resp admission.Response, original []byte) verdict {
	v := verdict{Allowed: resp.Allowed}
	if resp.Result != nil {
		v.Code = resp.Result.Code
		v.Message = resp.Result.Message
	}
	if len(resp.Patch) > 0 {
		patch, err := jsonpatch.DecodePatch(resp.Patch)
		if err != nil {
			v.Error = batch.ErrorText(err)
			return v
		}
		patched, err := patch.Apply(original)
		if err != nil {
			v.Error = batch.ErrorText(err)
			return v
		}
		v.Patched = true
		var obj struct {
			Spec     json.RawMessage `json:"spec"`
			Metadata struct {
				Annotations map[string]string `json:"annotations"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(patched, &obj); err != nil {
			v.Error = batch.ErrorText(err)
			return v
		}
		v.Spec = obj.Spec
		if name, ok := obj.Metadata.Annotations["k8s.aliyun.com/pod-networking"]; ok {
			v.PodNetworking = &name
			pod := &corev1.Pod{}
			if err := json.Unmarshal(patched, pod); err == nil && len(pod.Spec.Containers) > 0 {
				v.Resources = map[string]string{}
				for name, quantity := range pod.Spec.Containers[0].Resources.Requests {
					v.Resources[string(name)] = quantity.String()
				}
			}
		}
	}
	return v
}

func newClient(c tcase) (client.Client, error) {
	objs := []client.Object{}
	if c.EniConf != nil {
		objs = append(objs, &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Namespace: "kube-system", Name: "eni-config"},
			Data:       map[string]string{"eni_conf": *c.EniConf},
		})
	}
	if c.Namespace.Name != "" {
		objs = append(objs, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: c.Namespace.Name,
			Labels: c.Namespace.Labels}})
	}
	for _, pn := range c.PodNetworkings {
		obj := &v1beta1.PodNetworking{}
		doc := map[string]any{"metadata": map[string]any{"name": pn.Name}, "spec": pn.Spec, "status": pn.Status}
		if len(pn.Spec) == 0 {
			doc["spec"] = json.RawMessage("{}")
		}
		if len(pn.Status) == 0 {
			doc["status"] = json.RawMessage("{}")
		}
		data, err := json.Marshal(doc)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(data, obj); err != nil {
			return nil, fmt.Errorf("podNetworking %s: %w", pn.Name, err)
		}
		objs = append(objs, obj)
	}
	return fake.NewClientBuilder().WithScheme(scheme).WithTypeConverters(typeConverters...).WithObjects(objs...).Build(), nil
}

// opValidate: the validating webhook (pkg/controller/webhook/validate.go) on a PodNetworking CREATE.
func opValidate(c tcase) verdict {
	object := podNetworkingObject("oracle", c.Spec)
	resp := webhook.ValidateHook(config(c)).Handle(context.Background(), request("PodNetworking", "", object))
	return toVerdict(resp, object)
}

// opMutate: the mutating webhook on a PodNetworking CREATE (defaults from kube-system/eni-config).
func opMutate(c tcase) verdict {
	cl, err := newClient(c)
	if err != nil {
		return verdict{Error: batch.ErrorText(err)}
	}
	object := podNetworkingObject("oracle", c.Spec)
	resp := webhook.MutatingHook(cl, config(c)).Handle(context.Background(), request("PodNetworking", "", object))
	return toVerdict(resp, object)
}

// opAdmit: what the API server does on CREATE: the mutating webhook, then the validating webhook on its result.
func opAdmit(c tcase) verdict {
	mutated := opMutate(c)
	if mutated.Error != nil || !mutated.Allowed {
		return mutated
	}
	spec := c.Spec
	if mutated.Patched {
		spec = mutated.Spec
	}
	v := opValidate(tcase{Spec: spec, InjectResource: c.InjectResource, EnableTrunk: c.EnableTrunk})
	v.Spec = spec
	v.Patched = mutated.Patched
	return v
}

// opPod: the pod webhook on a pod CREATE in a namespace, with the given PodNetworkings in the cluster.
func opPod(c tcase) verdict {
	cl, err := newClient(c)
	if err != nil {
		return verdict{Error: batch.ErrorText(err)}
	}
	pod := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: "oracle-0", Namespace: c.Namespace.Name, Labels: c.Pod.Labels},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "app"}}},
	}
	if c.Pod.OwnerKind != "" {
		pod.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: c.Pod.OwnerKind, Name: "owner",
			UID: "owner-uid"}}
	}
	object, err := json.Marshal(pod)
	if err != nil {
		return verdict{Error: batch.ErrorText(err)}
	}
	resp := webhook.MutatingHook(cl, config(c)).Handle(context.Background(),
		request("Pod", c.Namespace.Name, object))
	v := toVerdict(resp, object)
	v.Spec = nil
	return v
}

type eniConfVerdict struct {
	// The daemon (terway-eniip): daemon/builder.go LoadDynamicConfig: unmarshal, Populate, Validate.
	DaemonError *string `json:"daemonError"`
	// terway-controlplane: types/daemon/dynamicconfig.go ConfigFromConfigMap (webhooks, pod controller).
	ControlplaneError *string  `json:"controlplaneError"`
	SecurityGroups    []string `json:"securityGroups"`
	VSwitchIDs        []string `json:"vSwitchIDs"`
}

func opEniConf(c tcase) eniConfVerdict {
	var v eniConfVerdict
	cfg, err := daemon.MergeConfigAndUnmarshal(nil, []byte(c.Text))
	if err == nil {
		cfg.Populate()
		err = cfg.Validate()
	}
	v.DaemonError = batch.ErrorText(err)
	text := c.Text
	cl, err := newClient(tcase{EniConf: &text})
	if err != nil {
		v.ControlplaneError = batch.ErrorText(err)
		return v
	}
	cp, err := daemon.ConfigFromConfigMap(context.Background(), cl, "")
	v.ControlplaneError = batch.ErrorText(err)
	if err == nil {
		v.SecurityGroups = cp.GetSecurityGroups()
		v.VSwitchIDs = cp.GetVSwitchIDs()
	}
	return v
}
