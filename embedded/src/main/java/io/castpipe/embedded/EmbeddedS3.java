package io.castpipe.embedded;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An S3-API server (S3Proxy) inside this JVM, storing objects in a local folder. Clients reach
 * it through the S3 protocol with signed requests, exactly as they reach MinIO or AWS S3.
 */
public final class EmbeddedS3 implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedS3.class);

    private final Path baseDir;
    private final String host;
    private final int port;
    private final String accessKey;
    private final String secretKey;
    private BlobStoreContext context;
    private S3Proxy proxy;

    public EmbeddedS3(Path baseDir, String host, int port, String accessKey, String secretKey) {
        this.baseDir = baseDir;
        this.host = host;
        this.port = port;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    public EmbeddedS3 start() throws Exception {
        Files.createDirectories(baseDir);
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", baseDir.toAbsolutePath().toString());
        context = ContextBuilder.newBuilder("filesystem-nio2")
                .credentials(accessKey, secretKey)
                .overrides(properties)
                .build(BlobStoreContext.class);
        proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://" + host + ":" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .jettyMaxThreads(32)
                // The SDK sends x-amz-checksum-crc32 where S3 requires a checksum (multi-object
                // delete); S3Proxy 2.x would answer 501 to a header it does not know.
                .ignoreUnknownHeaders(true)
                .build();
        try {
            proxy.start();
            while (!"STARTED".equals(proxy.getState())) {
                if ("FAILED".equals(proxy.getState())) {
                    throw new IllegalStateException("S3 server failed to start on port " + port);
                }
                Thread.sleep(10);
            }
        } catch (Exception e) {
            close();
            throw e;
        }
        log.info("embedded S3 listening on {}", endpoint());
        return this;
    }

    public String endpoint() {
        return "http://" + host + ":" + port;
    }

    @Override
    public void close() {
        // S3Proxy's threads are not daemons: an unstopped proxy keeps the JVM alive.
        if (proxy != null) {
            try {
                proxy.stop();
            } catch (Exception e) {
                log.warn("stopping embedded S3: {}", e.toString());
            }
            proxy = null;
        }
        if (context != null) {
            context.close();
            context = null;
        }
    }
}
