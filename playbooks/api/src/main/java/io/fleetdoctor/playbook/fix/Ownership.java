package io.fleetdoctor.playbook.fix;

/**
 * Who manages a DaemonSet besides the API server, found from its labels and annotations.
 *
 * @param manager      {@code helm}, {@code argocd}, {@code flux}, {@code rke2-helm-controller},
 *                     {@code addon-manager} or {@code k3s}
 * @param evidence     the label or annotation that shows it, as {@code key=value}
 * @param sourceChange the change proposed at that source (Helm values, a HelmChartConfig, a kustomize patch,
 *                     or k3s's server flag), ready to paste
 */
public record Ownership(String manager, String evidence, String sourceChange) {
}
