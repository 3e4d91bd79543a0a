package io.castpipe.common.storage;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.castpipe.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.paginators.ListObjectsV2Iterable;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** {@link ObjectStore} on the AWS SDK v2: AWS S3, MinIO, or the embedded S3 server alike. */
public final class S3ObjectStore implements ObjectStore {
    private static final Logger log = LoggerFactory.getLogger(S3ObjectStore.class);
    private static final int DELETE_BATCH = 1000;

    private final S3Settings settings;
    private final S3Client s3;
    private final S3Presigner presigner;

    public S3ObjectStore(S3Settings settings) {
        this.settings = settings;
        var credentials = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
        var serviceConfig = S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build();
        this.s3 = S3Client.builder()
                .endpointOverride(settings.endpoint())
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(serviceConfig)
                // Self-hosted S3 servers do not all accept the SDK's default flexible checksums.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(ApacheHttpClient.builder()
                        .maxConnections(64)
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(60)))
                .build();
        this.presigner = S3Presigner.builder()
                .endpointOverride(settings.endpoint())
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(serviceConfig)
                .build();
    }

    String bucket() {
        return settings.bucket();
    }

    S3Client client() {
        return s3;
    }

    int partSize() {
        return settings.partSize();
    }

    @Override
    public void ensureBucket() {
        String where = "S3 at " + settings.endpoint();
        try {
            s3.headBucket(b -> b.bucket(bucket()));
        } catch (NoSuchBucketException e) {
            try {
                s3.createBucket(b -> b.bucket(bucket()));
                log.info("created bucket {} at {}", bucket(), settings.endpoint());
            } catch (BucketAlreadyOwnedByYouException | BucketAlreadyExistsException raced) {
                // Another role starting beside this one created it first.
                log.debug("bucket {} was created meanwhile by another process", bucket());
            }
        } catch (S3Exception e) {
            if (e.statusCode() == 403 || e.statusCode() == 401) {
                throw new ConfigException(where + " refused access key '" + settings.accessKey()
                        + "' (HTTP " + e.statusCode() + "); check CASTPIPE_S3_ACCESS_KEY and CASTPIPE_S3_SECRET_KEY", e);
            }
            throw new ConfigException(where + " answered HTTP " + e.statusCode() + " for bucket '" + bucket()
                    + "'; check CASTPIPE_S3_ENDPOINT and CASTPIPE_S3_BUCKET", e);
        } catch (SdkClientException e) {
            throw new ConfigException(where + " is unreachable (" + rootMessage(e)
                    + "); start it or point CASTPIPE_S3_ENDPOINT at a running S3/MinIO", e);
        }
    }

    @Override
    public void put(String key, byte[] bytes, String contentType) {
        call(key, () -> s3.putObject(b -> b.bucket(bucket()).key(key).contentType(contentType),
                RequestBody.fromBytes(bytes)));
    }

    @Override
    public void put(String key, InputStream in, long length, String contentType) {
        call(key, () -> s3.putObject(b -> b.bucket(bucket()).key(key).contentType(contentType),
                RequestBody.fromInputStream(in, length)));
    }

    @Override
    public OutputStream openForWrite(String key, String contentType) {
        return new S3OutputStream(this, key, contentType, Long.MAX_VALUE);
    }

    @Override
    public ObjectOutputStream openForWrite(String key, String contentType, long maxBytes) {
        return new S3OutputStream(this, key, contentType, maxBytes);
    }

    @Override
    public MultipartUpload startMultipart(String key, String contentType) {
        String uploadId = call(key, () -> s3.createMultipartUpload(
                b -> b.bucket(bucket()).key(key).contentType(contentType)).uploadId());
        return new S3MultipartUpload(key, uploadId, List.of());
    }

    @Override
    public MultipartUpload resumeMultipart(String key, String uploadId, List<UploadedPart> parts) {
        return new S3MultipartUpload(key, uploadId, parts);
    }

    @Override
    public InputStream get(String key) {
        return call(key, () -> s3.getObject(GetObjectRequest.builder().bucket(bucket()).key(key).build()));
    }

    @Override
    public InputStream getRange(String key, long first, long last) {
        if (first < 0 || last < first) {
            throw new IllegalArgumentException("bad range " + first + "-" + last);
        }
        return call(key, () -> s3.getObject(GetObjectRequest.builder().bucket(bucket()).key(key)
                .range("bytes=" + first + "-" + last).build()));
    }

    @Override
    public Optional<ObjectInfo> head(String key) {
        try {
            HeadObjectResponse r = s3.headObject(b -> b.bucket(bucket()).key(key));
            return Optional.of(new ObjectInfo(key, r.contentLength(), r.eTag(), r.lastModified()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw new ObjectStoreException("head " + key + ": " + e.getMessage(), e, e.statusCode() >= 500);
        } catch (SdkClientException e) {
            throw new ObjectStoreException("head " + key + ": " + rootMessage(e), e, true);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        ListObjectsV2Iterable pages = s3.listObjectsV2Paginator(b -> b.bucket(bucket()).prefix(prefix));
        List<ObjectInfo> out = new ArrayList<>();
        call(prefix, () -> {
            for (S3Object o : pages.contents()) {
                out.add(new ObjectInfo(o.key(), o.size(), o.eTag(), o.lastModified()));
            }
            return null;
        });
        return out;
    }

    @Override
    public List<ObjectInfo> listPage(String prefix, String startAfter, int max) {
        return call(prefix, () -> s3.listObjectsV2(b -> b.bucket(bucket()).prefix(prefix).startAfter(startAfter).maxKeys(max))
                .contents().stream().map(o -> new ObjectInfo(o.key(), o.size(), o.eTag(), o.lastModified())).toList());
    }

    @Override
    public void copy(String fromKey, String toKey) {
        call(fromKey, () -> s3.copyObject(b -> b.sourceBucket(bucket()).sourceKey(fromKey)
                .destinationBucket(bucket()).destinationKey(toKey)));
    }

    @Override
    public void delete(String key) {
        call(key, () -> s3.deleteObject(b -> b.bucket(bucket()).key(key)));
    }

    @Override
    public int deleteByPrefix(String prefix) {
        if (prefix.isEmpty()) {
            throw new IllegalArgumentException("refusing to delete the whole bucket");
        }
        List<ObjectInfo> objects = list(prefix);
        for (int from = 0; from < objects.size(); from += DELETE_BATCH) {
            List<ObjectIdentifier> batch = objects.subList(from, Math.min(from + DELETE_BATCH, objects.size()))
                    .stream().map(o -> ObjectIdentifier.builder().key(o.key()).build()).toList();
            call(prefix, () -> s3.deleteObjects(b -> b.bucket(bucket())
                    .delete(Delete.builder().objects(batch).quiet(true).build())));
        }
        return objects.size();
    }

    @Override
    public PresignedRequest presignPut(String key, String contentType, long contentLength, Duration ttl) {
        var p = presigner.presignPutObject(b -> b.signatureDuration(ttl)
                .putObjectRequest(r -> r.bucket(bucket()).key(key).contentType(contentType).contentLength(contentLength)));
        return new PresignedRequest(p.url(), "PUT", p.signedHeaders(), p.expiration());
    }

    @Override
    public PresignedRequest presignGet(String key, Duration ttl) {
        var p = presigner.presignGetObject(b -> b.signatureDuration(ttl)
                .getObjectRequest(r -> r.bucket(bucket()).key(key)));
        return new PresignedRequest(p.url(), "GET", p.signedHeaders(), p.expiration());
    }

    @Override
    public PresignedRequest presignUploadPart(String key, String uploadId, int partNumber, long contentLength, Duration ttl) {
        var p = presigner.presignUploadPart(b -> b.signatureDuration(ttl)
                .uploadPartRequest(r -> r.bucket(bucket()).key(key).uploadId(uploadId).partNumber(partNumber)
                        .contentLength(contentLength)));
        return new PresignedRequest(p.url(), "PUT", p.signedHeaders(), p.expiration());
    }

    @Override
    public void close() {
        presigner.close();
        s3.close();
    }

    private <T> T call(String key, java.util.function.Supplier<T> request) {
        try {
            return request.get();
        } catch (NoSuchKeyException e) {
            throw new ObjectNotFoundException(key, e);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new ObjectNotFoundException(key, e);
            }
            throw new ObjectStoreException(key + ": " + e.getMessage(), e, e.statusCode() >= 500);
        } catch (SdkClientException e) {
            throw new ObjectStoreException(key + ": " + rootMessage(e), e, true);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private final class S3MultipartUpload implements MultipartUpload {
        private final String key;
        private final String uploadId;
        private final List<CompletedPart> parts = new ArrayList<>();

        S3MultipartUpload(String key, String uploadId, List<UploadedPart> earlier) {
            this.key = key;
            this.uploadId = uploadId;
            for (UploadedPart p : earlier) {
                parts.removeIf(c -> c.partNumber() == p.partNumber());
                parts.add(CompletedPart.builder().partNumber(p.partNumber()).eTag(p.etag()).build());
            }
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public String uploadId() {
            return uploadId;
        }

        @Override
        public synchronized void putPart(int partNumber, InputStream in, long length) {
            String etag = call(key, () -> s3.uploadPart(b -> b.bucket(bucket()).key(key).uploadId(uploadId)
                    .partNumber(partNumber).contentLength(length), RequestBody.fromInputStream(in, length)).eTag());
            parts.removeIf(p -> p.partNumber() == partNumber);
            parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
        }

        @Override
        public synchronized List<UploadedPart> parts() {
            return parts.stream().sorted(java.util.Comparator.comparingInt(CompletedPart::partNumber))
                    .map(p -> new UploadedPart(p.partNumber(), p.eTag())).toList();
        }

        @Override
        public synchronized void complete() {
            List<CompletedPart> ordered = parts.stream()
                    .sorted(java.util.Comparator.comparingInt(CompletedPart::partNumber)).toList();
            call(key, () -> s3.completeMultipartUpload(CompleteMultipartUploadRequest.builder()
                    .bucket(bucket()).key(key).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(ordered).build()).build()));
        }

        @Override
        public void abort() {
            try {
                s3.abortMultipartUpload(b -> b.bucket(bucket()).key(key).uploadId(uploadId));
            } catch (RuntimeException e) {
                log.warn("aborting multipart upload of {}: {}", key, e.toString());
            }
        }
    }
}
