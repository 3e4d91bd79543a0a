package io.castpipe.common.storage;

import java.net.URI;

import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.config.ConfigException;
import io.castpipe.common.config.Setting;

/** Where the bucket is and how to sign requests to it. */
public record S3Settings(URI endpoint, String region, String bucket, String accessKey, String secretKey,
                         boolean pathStyle, int partSize) {

    static final int MIN_PART_SIZE = 5 * 1024 * 1024;

    public S3Settings {
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("S3 part size must be at least 5 MiB");
        }
    }

    /** The settings for {@code endpoint}, with the remaining values from the configuration. */
    public static S3Settings from(CastpipeConfig config, String endpoint, String secretKey) {
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || !(endpoint.startsWith("http://") || endpoint.startsWith("https://"))) {
            throw new ConfigException(Setting.S3_ENDPOINT.env() + "=" + endpoint
                    + " is not an http(s) URL; set it like http://minio:9000");
        }
        String bucket = config.string(Setting.S3_BUCKET);
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new ConfigException(Setting.S3_BUCKET.env() + "=" + bucket
                    + " is not a valid bucket name; use 3-63 lower-case letters, digits, dots and dashes");
        }
        return new S3Settings(uri, config.string(Setting.S3_REGION), bucket,
                config.string(Setting.S3_ACCESS_KEY), secretKey, config.bool(Setting.S3_PATH_STYLE),
                config.integer(Setting.S3_PART_SIZE_MB, 5, 1024) * 1024 * 1024);
    }
}
