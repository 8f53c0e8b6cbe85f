package io.fleetdoctor.playbooks.flannel;

/** Parts of an image reference {@code [registry[:port]/]repo[:tag][@digest]}. */
public final class ImageRef {
    private ImageRef() {
    }

    /** The tag, or null for an untagged or digest-only reference. */
    public static String tag(String image) {
        if (image == null) {
            return null;
        }
        String ref = withoutDigest(image);
        int colon = ref.lastIndexOf(':');
        if (colon < 0 || colon < ref.lastIndexOf('/')) {
            return null; // no tag (a ':' before the last '/' is a registry port)
        }
        String tag = ref.substring(colon + 1);
        return tag.isEmpty() ? null : tag;
    }

    /** {@code quay.io/coreos/flannel:v0.13.0} → {@code quay.io/coreos/flannel}. */
    public static String repository(String image) {
        String ref = withoutDigest(image);
        int colon = ref.lastIndexOf(':');
        return colon > ref.lastIndexOf('/') ? ref.substring(0, colon) : ref;
    }

    private static String withoutDigest(String image) {
        int at = image.indexOf('@');
        return at >= 0 ? image.substring(0, at) : image;
    }
}
