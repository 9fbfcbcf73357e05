"""Resource type tokens (pulumi-alicloud 4.0.0 / pulumi-kubernetes 4.x) the policies inspect."""

MANAGED_KUBERNETES = "alicloud:cs/managedKubernetes:ManagedKubernetes"
NODE_POOL = "alicloud:cs/nodePool:NodePool"
SECURITY_GROUP_RULE = "alicloud:ecs/securityGroupRule:SecurityGroupRule"
VSWITCH = "alicloud:vpc/switch:Switch"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
HELM_CHART_V4 = "kubernetes:helm.sh/v4:Chart"
POD_NETWORKING = "kubernetes:network.alibabacloud.com/v1beta1:PodNetworking"
