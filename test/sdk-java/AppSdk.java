// A second, independent 3DS SDK (the app side of SPEC §6), in Java with the JDK only, so the server's
// app channel is checked against an implementation that shares no code and no library with it:
// version -> authenticate (app channel, its own P-256 ephemeral key) -> acsSignedContent verified with
// its x5c certificate (PS256 or ES256) -> ECDH + EMV Concat KDF -> the CReq/CRes conversation for the
// card's UI (JWE dir + A128CBC-HS256 or A128GCM, written out per RFC 7516/7518) -> /3ds/final.
//
// Usage (single-file source launch, Java 17+):
//   java test/sdk-java/AppSdk.java <baseUrl> <pan> <A128CBC-HS256|A128GCM> [action...] [--option...]
// Actions, sent one CReq each after the first (data-less) CReq; without any, "auto":
//   auto            the right answer for the UI the ACS shows (read from the CRes)
//   code:<v>        challengeDataEntry (text UI)          select:<k[,k]>  challengeDataEntry (select UIs)
//   html:<form>     challengeHTMLDataEntry                oob             oobContinue
//   resend          resendChallenge Y                     cancel          challengeCancel 01
//   noentry         challengeNoEntry Y
// Options: --expect=<CRes transStatus> (default Y), --expect-final=<final transStatus> (default: as
// --expect, U after a cancel), --otp=<code> (1234), --no-ref (no sdkReferenceNumber: the server's
// default for the enc applies), --key-shape=info|flat|top, --version=<messageVersion> (2.2.0),
// --kdf-ref=<value> (a deliberately different PartyVInfo: the ACS must answer Erro 302).
// Prints one JSON line with the outcome; exit 0 when it is the expected one, 1 when not, 2 on a
// protocol or verification failure, 3 when the ACS answered an Erro, 64 on bad usage.

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

public class AppSdk {
    static final SecureRandom RANDOM = new SecureRandom();
    static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    static final Base64.Decoder B64URL_DEC = Base64.getUrlDecoder();

    /** A failure of the protocol or of a check (exit 2). */
    static final class SdkFailure extends RuntimeException {
        SdkFailure(String m) { super(m); }
    }

    /** The ACS answered an Erro (exit 3). */
    static final class ErroReceived extends RuntimeException {
        final Map<String, Object> erro;
        ErroReceived(Map<String, Object> erro) { super("ACS answered Erro: " + Json.write(erro)); this.erro = erro; }
    }

    public static void main(String[] args) {
        List<String> positional = new ArrayList<>();
        Map<String, String> opts = new LinkedHashMap<>();
        for (String a : args) {
            if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                opts.put(eq < 0 ? a.substring(2) : a.substring(2, eq), eq < 0 ? "true" : a.substring(eq + 1));
            } else positional.add(a);
        }
        if (positional.size() < 3 || !(positional.get(2).equals("A128CBC-HS256") || positional.get(2).equals("A128GCM"))) {
            System.err.println("usage: java AppSdk.java <baseUrl> <pan> <A128CBC-HS256|A128GCM> [action...] [--expect=Y] [--expect-final=Y] [--otp=1234] [--no-ref] [--key-shape=info|flat|top] [--version=2.2.0]");
            System.exit(64);
        }
        List<String> actions = new ArrayList<>(positional.subList(3, positional.size()));
        if (actions.isEmpty()) actions.add("auto");
        AppSdk sdk = new AppSdk(positional.get(0).replaceAll("/+$", ""), positional.get(1), positional.get(2), opts);
        try {
            Map<String, Object> outcome = sdk.run(actions);
            String expect = opts.getOrDefault("expect", "Y");
            String expectFinal = opts.getOrDefault("expect-final", actions.contains("cancel") ? "U" : expect);
            boolean ok = expect.equals(outcome.get("transStatus")) && expectFinal.equals(outcome.get("finalTransStatus"));
            outcome.put("ok", ok);
            System.out.println(Json.write(outcome));
            System.exit(ok ? 0 : 1);
        } catch (ErroReceived e) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ok", false);
            out.put("erro", e.erro);
            System.out.println(Json.write(out));
            System.exit(3);
        } catch (Exception e) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ok", false);
            out.put("failure", e.getClass().getSimpleName() + ": " + e.getMessage());
            System.out.println(Json.write(out));
            System.exit(2);
        }
    }

    final String base;
    final String pan;
    final String enc;
    final Map<String, String> opts;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    final String sdkTransID = UUID.randomUUID().toString();
    final String sdkReferenceNumber;
    String messageVersion;
    String threeDSServerTransID;
    String acsTransID;
    String acsUrl;
    byte[] sessionKey;
    int sdkCounter = 0;
    int acsCounter = 0;
    KeyPair ephemeral;

    AppSdk(String base, String pan, String enc, Map<String, String> opts) {
        this.base = base;
        this.pan = pan;
        this.enc = enc;
        this.opts = opts;
        this.messageVersion = opts.getOrDefault("version", "2.2.0");
        // Without one, PartyVInfo is the server's configured default for the enc (SPEC §6).
        this.sdkReferenceNumber = opts.containsKey("no-ref") ? null : "3DS_LOA_SDK_JAVA_020200_00001";
    }

    Map<String, Object> run(List<String> actions) throws Exception {
        // 1. version: opens the transaction.
        Map<String, Object> version = postJson("/3ds/version", Json.obj("cardNumber", pan));
        threeDSServerTransID = str(version, "threeDSServerTransID");

        // 2. authenticate on the app channel with a fresh ephemeral key.
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
        kpg.initialize(new ECGenParameterSpec("secp256r1"));
        ephemeral = kpg.generateKeyPair();
        Map<String, Object> sdkKey = publicJwk((ECPublicKey) ephemeral.getPublic());
        Map<String, Object> ares = map(postJson("/3ds/authenticate", areq(sdkKey)).get("authenticationResponse"), "authenticationResponse");
        expectEq("ARes transStatus", "C", str(ares, "transStatus"));
        expectEq("ARes sdkTransID", sdkTransID, str(ares, "sdkTransID"));
        acsTransID = str(ares, "acsTransID");
        messageVersion = str(ares, "messageVersion");
        Map<String, Object> rendering = map(ares.get("acsRenderingType"), "acsRenderingType");

        // 3. acsSignedContent: the certificate, the signature, the echoed SDK key.
        Verified signed = verifyJws(str(ares, "acsSignedContent"));
        Map<String, Object> content = signed.payload;
        expectEq("acsSignedContent.sdkEphemPubKey.x", sdkKey.get("x"), map(content.get("sdkEphemPubKey"), "sdkEphemPubKey").get("x"));
        expectEq("acsSignedContent.sdkEphemPubKey.y", sdkKey.get("y"), map(content.get("sdkEphemPubKey"), "sdkEphemPubKey").get("y"));
        expectEq("acsSignedContent.acsTransID", acsTransID, content.get("acsTransID"));
        acsUrl = str(content, "acsURL");
        if (!acsUrl.endsWith("/challenge")) throw new SdkFailure("acsURL is not the challenge endpoint: " + acsUrl);

        // 4. ECDH + Concat KDF.
        Map<String, Object> acsKey = map(content.get("acsEphemPubKey"), "acsEphemPubKey");
        String partyV = sdkReferenceNumber != null ? sdkReferenceNumber
            : enc.equals("A128GCM") ? "3DS_LOA_SDK_JTPL_020200_00805" : "3DS_LOA_SDK_JTPL_020200_00788";
        sessionKey = concatKdf(ecdh(acsKey), opts.getOrDefault("kdf-ref", partyV));

        // 5. The conversation: first CReq asks for the UI, then one CReq per action.
        Map<String, Object> cres = challenge(new LinkedHashMap<>());
        String uiType = str(cres, "acsUiType");
        expectEq("acsUiType of the ARes template", rendering.get("acsUiTemplate"), uiType);
        int i = 0;
        while (!"Y".equals(cres.get("challengeCompletionInd"))) {
            if (i >= actions.size()) throw new SdkFailure("the challenge is not complete after " + actions.size() + " action(s); last CRes " + Json.write(cres));
            cres = challenge(creqFields(actions.get(i++), cres, uiType));
        }
        String transStatus = str(cres, "transStatus");

        // 6. The outcome as the 3DS Server reports it.
        Map<String, Object> fin = postJson("/3ds/final", Json.obj("threeDSServerTransID", threeDSServerTransID));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("pan", pan.substring(0, 6) + "..." + pan.substring(pan.length() - 4));
        out.put("enc", enc);
        out.put("alg", signed.alg);
        out.put("acsUiType", uiType);
        out.put("messageVersion", messageVersion);
        out.put("cresCount", acsCounter);
        out.put("transStatus", transStatus);
        out.put("finalTransStatus", fin.get("transStatus"));
        out.put("eci", fin.get("eci"));
        return out;
    }

    Map<String, Object> areq(Map<String, Object> sdkKey) {
        Map<String, Object> info = Json.obj("sdkAppID", UUID.randomUUID().toString(), "sdkTransID", sdkTransID, "sdkMaxTimeout", 5L);
        if (sdkReferenceNumber != null) info.put("sdkReferenceNumber", sdkReferenceNumber);
        Map<String, Object> body = Json.obj(
            "threeDSServerTransID", threeDSServerTransID,
            "deviceChannel", "01",
            "messageCategory", "01",
            "preferredProtocolVersion", messageVersion,
            "threeDSRequestor", Json.obj("threeDSRequestorChallengeInd", "01"),
            "cardholderAccount", Json.obj("acctNumber", pan, "cardExpiryDate", "2911"),
            "purchase", Json.obj("purchaseAmount", 4599L, "purchaseCurrency", "978", "purchaseExponent", 2L, "purchaseDate", "20261121093000"),
            "merchant", Json.obj("merchantName", "Java SDK Shop", "mcc", "5411", "merchantCountryCode", "756"),
            "deviceRenderOptions", Json.obj("sdkInterface", "03", "sdkUiType", List.of("01", "02", "03", "04", "05")),
            "sdkTransID", sdkTransID,
            "sdkInformation", info);
        switch (opts.getOrDefault("key-shape", "info")) {
            case "flat" -> body.put("sdkEphemeralPublicKey", sdkKey);
            case "top" -> { body.put("Kty", sdkKey.get("kty")); body.put("Crv", sdkKey.get("crv")); body.put("X", sdkKey.get("x")); body.put("Y", sdkKey.get("y")); }
            default -> info.put("sdkEphemPubKey", sdkKey);
        }
        return body;
    }

    /** The CReq data of one action, reading the UI the last CRes showed where the action is "auto". */
    Map<String, Object> creqFields(String action, Map<String, Object> cres, String uiType) {
        String otp = opts.getOrDefault("otp", "1234");
        Map<String, Object> f = new LinkedHashMap<>();
        if (action.equals("auto")) {
            switch (uiType) {
                case "01" -> action = "code:" + otp;
                case "02", "03" -> {
                    List<String> keys = new ArrayList<>();
                    for (Object o : list(cres.get("challengeSelectInfo"), "challengeSelectInfo")) {
                        for (Map.Entry<String, Object> e : map(o, "challengeSelectInfo item").entrySet()) {
                            if (String.valueOf(e.getValue()).contains("(correct)")) keys.add(e.getKey());
                        }
                    }
                    if (keys.isEmpty() || (uiType.equals("02") && keys.size() != 1)) throw new SdkFailure("cannot tell the right option from " + cres.get("challengeSelectInfo"));
                    action = "select:" + String.join(",", keys);
                }
                case "04" -> action = "oob";
                case "05" -> {
                    String html = new String(B64URL_DEC.decode(str(cres, "acsHTML")), StandardCharsets.UTF_8);
                    if (!html.contains("action=\"HTTPS://EMV3DS/challenge\"")) throw new SdkFailure("acsHTML does not post to HTTPS://EMV3DS/challenge");
                    Matcher m = Pattern.compile("<input[^>]*name=\"([^\"]+)\"").matcher(html);
                    if (!m.find()) throw new SdkFailure("acsHTML has no input");
                    action = "html:" + m.group(1) + "=" + otp + "&action=submit";
                }
                default -> throw new SdkFailure("unknown acsUiType " + uiType);
            }
        }
        int colon = action.indexOf(':');
        String kind = colon < 0 ? action : action.substring(0, colon);
        String value = colon < 0 ? "" : action.substring(colon + 1);
        switch (kind) {
            case "code", "select" -> f.put("challengeDataEntry", value);
            case "html" -> f.put("challengeHTMLDataEntry", value);
            case "oob" -> f.put("oobContinue", Boolean.TRUE);
            case "resend" -> f.put("resendChallenge", "Y");
            case "cancel" -> f.put("challengeCancel", "01");
            case "noentry" -> f.put("challengeNoEntry", "Y");
            default -> throw new SdkFailure("unknown action " + action);
        }
        return f;
    }

    /** One CReq -> CRes exchange, with every check an SDK makes on the answer. */
    Map<String, Object> challenge(Map<String, Object> data) throws Exception {
        Map<String, Object> creq = Json.obj(
            "threeDSServerTransID", threeDSServerTransID,
            "acsTransID", acsTransID,
            "messageType", "CReq",
            "messageVersion", messageVersion,
            "sdkTransID", sdkTransID,
            "sdkCounterStoA", String.format("%03d", sdkCounter++));
        creq.putAll(data);
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(acsUrl))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/jose; charset=UTF-8")
            .POST(HttpRequest.BodyPublishers.ofString(Jwe.encrypt(Json.write(creq), sessionKey, enc, acsTransID)))
            .build(), HttpResponse.BodyHandlers.ofString());
        String type = res.headers().firstValue("content-type").orElse("");
        if (res.statusCode() != 200) throw new SdkFailure("POST /challenge answered HTTP " + res.statusCode() + ": " + res.body());
        // The EMV rule SDKs follow: JSON is an Erro, JOSE is the CRes.
        if (type.startsWith("application/json")) throw new ErroReceived(map(Json.parse(res.body()), "Erro"));
        if (!type.startsWith("application/jose")) throw new SdkFailure("unexpected content type " + type);
        Map<String, Object> cres = map(Json.parse(Jwe.decrypt(res.body(), sessionKey, enc, acsTransID)), "CRes");
        expectEq("CRes messageType", "CRes", cres.get("messageType"));
        expectEq("CRes threeDSServerTransID", threeDSServerTransID, cres.get("threeDSServerTransID"));
        expectEq("CRes acsTransID", acsTransID, cres.get("acsTransID"));
        expectEq("CRes sdkTransID", sdkTransID, cres.get("sdkTransID"));
        expectEq("CRes messageVersion", messageVersion, cres.get("messageVersion"));
        expectEq("CRes acsCounterAtoS", String.format("%03d", acsCounter++), cres.get("acsCounterAtoS"));
        System.err.println("CRes " + cres.get("acsCounterAtoS") + ": completion " + cres.get("challengeCompletionInd") + (cres.containsKey("transStatus") ? ", transStatus " + cres.get("transStatus") : ", acsUiType " + cres.get("acsUiType")));
        return cres;
    }

    // ---- key agreement ---------------------------------------------------------------------------

    static byte[] unsigned32(BigInteger v) {
        byte[] b = v.toByteArray();
        if (b.length == 32) return b;
        byte[] out = new byte[32];
        if (b.length > 32) System.arraycopy(b, b.length - 32, out, 0, 32); // drop BigInteger's sign octet
        else System.arraycopy(b, 0, out, 32 - b.length, b.length); // restore leading zeros
        return out;
    }

    static Map<String, Object> publicJwk(ECPublicKey k) {
        return Json.obj("kty", "EC", "crv", "P-256",
            "x", B64URL.encodeToString(unsigned32(k.getW().getAffineX())),
            "y", B64URL.encodeToString(unsigned32(k.getW().getAffineY())));
    }

    byte[] ecdh(Map<String, Object> jwk) throws Exception {
        expectEq("acsEphemPubKey.crv", "P-256", jwk.get("crv"));
        ECParameterSpec params = ((ECPublicKey) ephemeral.getPublic()).getParams();
        ECPoint w = new ECPoint(new BigInteger(1, B64URL_DEC.decode(str(jwk, "x"))), new BigInteger(1, B64URL_DEC.decode(str(jwk, "y"))));
        PublicKey acs = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, params));
        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init(ephemeral.getPrivate());
        ka.doPhase(acs, true);
        return ka.generateSecret();
    }

    /** NIST SP 800-56A Concat KDF, SHA-256, 256 bits; AlgorithmID and PartyUInfo empty, PartyVInfo the reference. */
    static byte[] concatKdf(byte[] z, String sdkReferenceNumber) throws Exception {
        byte[] ref = sdkReferenceNumber.getBytes(StandardCharsets.UTF_8);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(ByteBuffer.allocate(4).putInt(1).array());
        sha.update(z);
        sha.update(ByteBuffer.allocate(4).putInt(0).array());
        sha.update(ByteBuffer.allocate(4).putInt(0).array());
        sha.update(ByteBuffer.allocate(4).putInt(ref.length).array());
        sha.update(ref);
        sha.update(ByteBuffer.allocate(4).putInt(256).array());
        return sha.digest();
    }

    // ---- acsSignedContent (JWS) ------------------------------------------------------------------

    record Verified(String alg, X509Certificate certificate, Map<String, Object> payload) {}

    static Verified verifyJws(String jws) throws Exception {
        String[] parts = jws.split("\\.", -1);
        if (parts.length != 3) throw new SdkFailure("acsSignedContent is not a compact JWS");
        Map<String, Object> header = map(Json.parse(new String(B64URL_DEC.decode(parts[0]), StandardCharsets.UTF_8)), "JWS header");
        String alg = str(header, "alg");
        List<Object> x5c = list(header.get("x5c"), "x5c");
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode((String) x5c.get(0))));
        cert.checkValidity();
        if (cert.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) cert.verify(cert.getPublicKey());
        byte[] input = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        byte[] sig = B64URL_DEC.decode(parts[2]);
        Signature verifier;
        switch (alg) {
            case "PS256" -> {
                verifier = Signature.getInstance("RSASSA-PSS");
                verifier.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
            }
            case "ES256" -> {
                verifier = Signature.getInstance("SHA256withECDSA");
                sig = derSignature(sig);
            }
            default -> throw new SdkFailure("unsupported JWS alg " + alg);
        }
        verifier.initVerify(cert.getPublicKey());
        verifier.update(input);
        if (!verifier.verify(sig)) throw new SdkFailure("acsSignedContent signature does not verify");
        Map<String, Object> payload = map(Json.parse(new String(B64URL_DEC.decode(parts[1]), StandardCharsets.UTF_8)), "JWS payload");
        return new Verified(alg, cert, payload);
    }

    /** JOSE's ES256 signature is R || S (32 bytes each); Java verifies the DER SEQUENCE of two INTEGERs. */
    static byte[] derSignature(byte[] raw) {
        if (raw.length != 64) throw new SdkFailure("ES256 signature must be 64 bytes, got " + raw.length);
        byte[] r = new BigInteger(1, Arrays.copyOfRange(raw, 0, 32)).toByteArray();
        byte[] s = new BigInteger(1, Arrays.copyOfRange(raw, 32, 64)).toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        out.write(4 + r.length + s.length); // at most 70: short-form length
        out.write(0x02);
        out.write(r.length);
        out.writeBytes(r);
        out.write(0x02);
        out.write(s.length);
        out.writeBytes(s);
        return out.toByteArray();
    }

    // ---- CReq / CRes (JWE, alg dir) --------------------------------------------------------------

    static final class Jwe {
        /** A128GCM uses the first half of the session key SDK->ACS and the second half ACS->SDK. */
        static byte[] key(byte[] session, String enc, boolean toAcs) {
            if (enc.equals("A128CBC-HS256")) return session;
            return toAcs ? Arrays.copyOfRange(session, 0, 16) : Arrays.copyOfRange(session, 16, 32);
        }

        static String encrypt(String plaintext, byte[] session, String enc, String kid) throws Exception {
            String header = B64URL.encodeToString(Json.write(Json.obj("alg", "dir", "enc", enc, "kid", kid)).getBytes(StandardCharsets.UTF_8));
            byte[] aad = header.getBytes(StandardCharsets.US_ASCII);
            byte[] pt = plaintext.getBytes(StandardCharsets.UTF_8);
            byte[] key = key(session, enc, true);
            byte[] iv;
            byte[] ct;
            byte[] tag;
            if (enc.equals("A128GCM")) {
                iv = new byte[12];
                RANDOM.nextBytes(iv);
                Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
                c.updateAAD(aad);
                byte[] out = c.doFinal(pt);
                ct = Arrays.copyOfRange(out, 0, out.length - 16);
                tag = Arrays.copyOfRange(out, out.length - 16, out.length);
            } else {
                iv = new byte[16];
                RANDOM.nextBytes(iv);
                Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
                c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(Arrays.copyOfRange(key, 16, 32), "AES"), new IvParameterSpec(iv));
                ct = c.doFinal(pt);
                tag = cbcTag(Arrays.copyOfRange(key, 0, 16), aad, iv, ct);
            }
            return header + ".." + B64URL.encodeToString(iv) + "." + B64URL.encodeToString(ct) + "." + B64URL.encodeToString(tag);
        }

        static String decrypt(String compact, byte[] session, String enc, String kid) throws Exception {
            String[] p = compact.trim().split("\\.", -1);
            if (p.length != 5) throw new SdkFailure("CRes is not a compact JWE");
            Map<String, Object> header = map(Json.parse(new String(B64URL_DEC.decode(p[0]), StandardCharsets.UTF_8)), "JWE header");
            expectEq("CRes JWE alg", "dir", header.get("alg"));
            expectEq("CRes JWE enc", enc, header.get("enc"));
            expectEq("CRes JWE kid", kid, header.get("kid"));
            if (!p[1].isEmpty()) throw new SdkFailure("dir JWE must have an empty encrypted key");
            byte[] aad = p[0].getBytes(StandardCharsets.US_ASCII);
            byte[] iv = B64URL_DEC.decode(p[2]);
            byte[] ct = B64URL_DEC.decode(p[3]);
            byte[] tag = B64URL_DEC.decode(p[4]);
            byte[] key = key(session, enc, false);
            byte[] pt;
            if (enc.equals("A128GCM")) {
                Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
                c.updateAAD(aad);
                byte[] both = new byte[ct.length + tag.length];
                System.arraycopy(ct, 0, both, 0, ct.length);
                System.arraycopy(tag, 0, both, ct.length, tag.length);
                pt = c.doFinal(both);
            } else {
                if (!MessageDigest.isEqual(tag, cbcTag(Arrays.copyOfRange(key, 0, 16), aad, iv, ct))) throw new SdkFailure("CRes authentication tag does not match");
                Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
                c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(Arrays.copyOfRange(key, 16, 32), "AES"), new IvParameterSpec(iv));
                pt = c.doFinal(ct);
            }
            return new String(pt, StandardCharsets.UTF_8);
        }

        /** RFC 7518 §5.2.2.1: HMAC-SHA-256 over AAD || IV || ciphertext || AL (AAD bits, 64-bit BE), first 16 bytes. */
        static byte[] cbcTag(byte[] macKey, byte[] aad, byte[] iv, byte[] ct) throws Exception {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(macKey, "HmacSHA256"));
            mac.update(aad);
            mac.update(iv);
            mac.update(ct);
            mac.update(ByteBuffer.allocate(8).putLong((long) aad.length * 8).array());
            return Arrays.copyOf(mac.doFinal(), 16);
        }
    }

    // ---- HTTP and small helpers ------------------------------------------------------------------

    Map<String, Object> postJson(String path, Map<String, Object> body) throws Exception {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)))
            .build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) throw new SdkFailure("POST " + path + " answered HTTP " + res.statusCode() + ": " + res.body());
        return map(Json.parse(res.body()), path);
    }

    static void expectEq(String what, Object expected, Object actual) {
        if (expected == null ? actual != null : !expected.equals(actual)) throw new SdkFailure(what + ": expected " + expected + ", got " + actual);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o, String what) {
        if (!(o instanceof Map)) throw new SdkFailure(what + " is not a JSON object");
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o, String what) {
        if (!(o instanceof List) || ((List<Object>) o).isEmpty()) throw new SdkFailure(what + " is not a non-empty JSON array");
        return (List<Object>) o;
    }

    static String str(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof String)) throw new SdkFailure(key + " is missing or not a string in " + Json.write(m));
        return (String) v;
    }

    /** A small JSON reader and writer: objects keep their key order; numbers are Long or Double. */
    static final class Json {
        static Map<String, Object> obj(Object... kv) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
            return m;
        }

        static String write(Object v) {
            StringBuilder sb = new StringBuilder();
            write(sb, v);
            return sb.toString();
        }

        static void write(StringBuilder sb, Object v) {
            if (v == null) sb.append("null");
            else if (v instanceof String s) quote(sb, s);
            else if (v instanceof Boolean || v instanceof Long || v instanceof Integer) sb.append(v);
            else if (v instanceof Double d) sb.append(d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf(d.longValue()) : String.valueOf(d));
            else if (v instanceof Map<?, ?> m) {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) sb.append(',');
                    first = false;
                    quote(sb, String.valueOf(e.getKey()));
                    sb.append(':');
                    write(sb, e.getValue());
                }
                sb.append('}');
            } else if (v instanceof List<?> l) {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) sb.append(',');
                    write(sb, l.get(i));
                }
                sb.append(']');
            } else throw new IllegalArgumentException("cannot write " + v.getClass());
        }

        static void quote(StringBuilder sb, String s) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                        else sb.append(c);
                    }
                }
            }
            sb.append('"');
        }

        static Object parse(String text) {
            Json p = new Json(text);
            p.ws();
            Object v = p.value();
            p.ws();
            if (p.i != text.length()) throw p.fail("trailing characters");
            return v;
        }

        final String s;
        int i = 0;

        Json(String s) { this.s = s; }

        SdkFailure fail(String why) { return new SdkFailure("JSON: " + why + " at " + i); }

        void ws() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }

        Object value() {
            if (i >= s.length()) throw fail("unexpected end");
            char c = s.charAt(i);
            switch (c) {
                case '{': {
                    i++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    ws();
                    if (s.charAt(i) == '}') { i++; return m; }
                    while (true) {
                        ws();
                        if (s.charAt(i) != '"') throw fail("key expected");
                        String k = string();
                        ws();
                        if (s.charAt(i++) != ':') throw fail("':' expected");
                        ws();
                        m.put(k, value());
                        ws();
                        char d = s.charAt(i++);
                        if (d == '}') return m;
                        if (d != ',') throw fail("',' or '}' expected");
                    }
                }
                case '[': {
                    i++;
                    List<Object> l = new ArrayList<>();
                    ws();
                    if (s.charAt(i) == ']') { i++; return l; }
                    while (true) {
                        ws();
                        l.add(value());
                        ws();
                        char d = s.charAt(i++);
                        if (d == ']') return l;
                        if (d != ',') throw fail("',' or ']' expected");
                    }
                }
                case '"':
                    return string();
                case 't': return literal("true", Boolean.TRUE);
                case 'f': return literal("false", Boolean.FALSE);
                case 'n': return literal("null", null);
                default: return number();
            }
        }

        Object literal(String word, Object v) {
            if (!s.startsWith(word, i)) throw fail("bad literal");
            i += word.length();
            return v;
        }

        Object number() {
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            String n = s.substring(start, i);
            if (n.isEmpty()) throw fail("value expected");
            return n.contains(".") || n.contains("e") || n.contains("E") ? (Object) Double.valueOf(n) : (Object) Long.valueOf(n);
        }

        String string() {
            i++; // opening quote
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (i >= s.length()) throw fail("unterminated string");
                char c = s.charAt(i++);
                if (c == '"') return sb.toString();
                if (c != '\\') { sb.append(c); continue; }
                char e = s.charAt(i++);
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> { sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; }
                    default -> throw fail("bad escape");
                }
            }
        }
    }
}
