package io.warmer.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made for one test run, and the certificates it signs: a server certificate for
 * 127.0.0.1 and localhost, and client certificates. Every file a secured server or client needs is written in the
 * forms they take: PEM, PKCS-8 DER (PostgreSQL's JDBC driver) and PKCS-12 (Kafka).
 */
public final class TestCertificates {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
    private static final Duration VALID = Duration.ofDays(2);

    private final String name;
    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final Path dir;

    private TestCertificates(String name, KeyPair caKeys, X509Certificate ca, Path dir) {
        this.name = name;
        this.caKeys = caKeys;
        this.ca = ca;
        this.dir = dir;
    }

    /** A new CA called {@code name}, whose files go to {@code dir}; writes {@code <name>-ca.pem}. */
    public static TestCertificates authority(String name, Path dir) {
        try {
            KeyPair keys = keyPair();
            X500Name subject = new X500Name("CN=" + name + " test CA");
            var builder = new JcaX509v3CertificateBuilder(subject, BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(Instant.now().minus(Duration.ofHours(1))), Date.from(Instant.now().plus(VALID)), subject,
                    keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            X509Certificate ca = new JcaX509CertificateConverter().getCertificate(builder.build(signer(keys.getPrivate())));
            TestCertificates authority = new TestCertificates(name, keys, ca, Files.createDirectories(dir));
            writePem(authority.caPem(), ca);
            return authority;
        } catch (GeneralSecurityException | IOException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("could not make a test CA: " + e.getMessage(), e);
        }
    }

    /** The CA's certificate (PEM): what clients and servers trust. */
    public Path caPem() {
        return dir.resolve(name + "-ca.pem");
    }

    /** A PKCS-12 trust store holding the CA's certificate. */
    public Path caTrustStore(String password) {
        Path file = dir.resolve(name + "-ca.p12");
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("ca", ca);
            try (OutputStream out = Files.newOutputStream(file)) {
                store.store(out, password.toCharArray());
            }
            return file;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("could not write " + file + ": " + e.getMessage(), e);
        }
    }

    /** A certificate and its key, as files. */
    public record Issued(Path certPem, Path keyPem, Path keyPk8, Path pkcs12) {
    }

    /**
     * A certificate for {@code commonName}, valid for 127.0.0.1 and localhost, usable by a server and a client.
     *
     * @param storePassword the password of its PKCS-12 file
     */
    public Issued issue(String commonName, String storePassword) {
        try {
            KeyPair keys = keyPair();
            var builder = new JcaX509v3CertificateBuilder(ca, BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(Instant.now().minus(Duration.ofHours(1))), Date.from(Instant.now().plus(VALID)),
                    new X500Name("CN=" + commonName), keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                            new GeneralName(GeneralName.dNSName, "localhost")}));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(signer(caKeys.getPrivate())));
            String base = name + "-" + commonName;
            Path certPem = dir.resolve(base + ".pem");
            Path keyPem = dir.resolve(base + ".key");
            Path keyPk8 = dir.resolve(base + ".pk8");
            Path pkcs12 = dir.resolve(base + ".p12");
            writePem(certPem, cert);
            try (JcaPEMWriter pem = new JcaPEMWriter(Files.newBufferedWriter(keyPem))) {
                pem.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
            }
            Files.write(keyPk8, keys.getPrivate().getEncoded());
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(commonName, keys.getPrivate(), storePassword.toCharArray(), new Certificate[] {cert, ca});
            try (OutputStream out = Files.newOutputStream(pkcs12)) {
                store.store(out, storePassword.toCharArray());
            }
            return new Issued(certPem, keyPem, keyPk8, pkcs12);
        } catch (GeneralSecurityException | IOException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("could not issue a test certificate for " + commonName + ": "
                    + e.getMessage(), e);
        }
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static ContentSigner signer(PrivateKey key) throws org.bouncycastle.operator.OperatorCreationException {
        return new JcaContentSignerBuilder("SHA256withRSA").build(key);
    }

    private static void writePem(Path file, Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
            pem.writeObject(object);
        }
        Files.writeString(file, text.toString());
    }
}
