package io.castpipe.common.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import io.castpipe.common.config.CastpipeConfig;
import io.castpipe.common.config.ConfigException;
import io.castpipe.common.config.Setting;

/**
 * The certificate chain and private key the HTTPS listener presents, read from PEM files with
 * the JDK alone. Every problem with the files is a {@link ConfigException} that names the
 * variable and the file, so a node with a bad certificate does not start.
 */
public final class TlsIdentity {
    private static final Pattern PEM_BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    private static final char[] NO_PASSWORD = new char[0];

    private final List<X509Certificate> chain;
    private final PrivateKey key;

    private TlsIdentity(List<X509Certificate> chain, PrivateKey key) {
        this.chain = chain;
        this.key = key;
    }

    /** The identity {@code CASTPIPE_TLS_CERT} and {@code CASTPIPE_TLS_KEY} name, or empty when neither is set. */
    public static Optional<TlsIdentity> fromConfig(CastpipeConfig config) {
        boolean cert = config.optional(Setting.TLS_CERT).isPresent();
        boolean key = config.optional(Setting.TLS_KEY).isPresent();
        if (!cert && !key) {
            return Optional.empty();
        }
        if (cert != key) {
            Setting given = cert ? Setting.TLS_CERT : Setting.TLS_KEY;
            Setting missing = cert ? Setting.TLS_KEY : Setting.TLS_CERT;
            throw new ConfigException(given.env() + " is set but " + missing.env()
                    + " is not; set both to serve HTTPS, or neither");
        }
        return Optional.of(load(config.path(Setting.TLS_CERT), config.path(Setting.TLS_KEY)));
    }

    public static TlsIdentity load(Path certFile, Path keyFile) {
        List<X509Certificate> chain = readChain(certFile);
        String algorithm = chain.get(0).getPublicKey().getAlgorithm();
        PrivateKey key = readKey(keyFile, algorithm);
        requireKeyOf(chain.get(0), key, keyFile);
        return new TlsIdentity(chain, key);
    }

    /** The subject and expiry of this server's certificate, for the log. */
    public String describe() {
        X509Certificate cert = chain.get(0);
        return cert.getSubjectX500Principal().getName() + ", valid until " + cert.getNotAfter().toInstant();
    }

    public boolean expiredAt(Instant now) {
        return chain.get(0).getNotAfter().toInstant().isBefore(now);
    }

    public SSLContext sslContext() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("castpipe", key, NO_PASSWORD, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, NO_PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the JDK could not build a TLS context from a checked key and certificate", e);
        }
    }

    private static List<X509Certificate> readChain(Path file) {
        byte[] bytes = read(file, Setting.TLS_CERT);
        try {
            List<X509Certificate> chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes)).stream()
                    .map(X509Certificate.class::cast).toList();
            if (!chain.isEmpty()) {
                return chain;
            }
        } catch (CertificateException e) {
            // said below, as for an empty file
        }
        throw new ConfigException(Setting.TLS_CERT.env() + "=" + file
                + " holds no PEM certificate (-----BEGIN CERTIFICATE-----); set it to the certificate chain file");
    }

    private static PrivateKey readKey(Path file, String algorithm) {
        String text = new String(read(file, Setting.TLS_KEY), StandardCharsets.US_ASCII);
        Matcher block = PEM_BLOCK.matcher(text);
        while (block.find()) {
            switch (block.group(1)) {
                case "PRIVATE KEY":
                    return decode(block.group(2), algorithm, file);
                case "ENCRYPTED PRIVATE KEY":
                    throw keyError(file, "is encrypted; give the key without a passphrase, readable only by the castpipe user");
                case "RSA PRIVATE KEY", "EC PRIVATE KEY":
                    throw keyError(file, "is in the older " + block.group(1) + " form; convert it to PKCS#8 "
                            + "(openssl pkcs8 -topk8 -nocrypt -in old.pem -out key.pem)");
                default:
                    // a certificate or parameters beside the key
            }
        }
        throw keyError(file, "holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
    }

    private static PrivateKey decode(String base64, String algorithm, Path file) {
        try {
            byte[] der = Base64.getMimeDecoder().decode(base64);
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw keyError(file, "is not a readable " + algorithm + " private key, the kind the certificate "
                    + Setting.TLS_CERT.env() + " names needs");
        }
    }

    /** Signs with the key and checks with the certificate: a key from another certificate fails here, not in every handshake. */
    private static void requireKeyOf(X509Certificate cert, PrivateKey key, Path keyFile) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            default -> throw keyError(keyFile, "is a " + key.getAlgorithm() + " key; use an RSA, EC or Ed25519 key and certificate");
        };
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // said below
        }
        throw keyError(keyFile, "is not the key of the certificate in " + Setting.TLS_CERT.env()
                + " (" + cert.getSubjectX500Principal().getName() + ")");
    }

    private static byte[] read(Path file, Setting setting) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException | SecurityException e) {
            throw new ConfigException(setting.env() + "=" + file + " cannot be read (" + e.getClass().getSimpleName()
                    + "); set it to a PEM file this user can read", e);
        }
    }

    private static ConfigException keyError(Path file, String problem) {
        return new ConfigException(Setting.TLS_KEY.env() + "=" + file + " " + problem);
    }
}
