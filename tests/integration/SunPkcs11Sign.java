/* SPDX-License-Identifier: LGPL-2.1-or-later */
// Signs with the token's key through Java's SunPKCS11 provider, as Kazakh
// signing software loads tokens, and verifies with the certificate:
//   java SunPkcs11Sign.java CONFIG PIN
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.cert.Certificate;
import java.util.Collections;

public class SunPkcs11Sign {
    public static void main(String[] args) throws Exception {
        Provider p = Security.getProvider("SunPKCS11").configure(args[0]);
        Security.addProvider(p);
        KeyStore ks = KeyStore.getInstance("PKCS11", p);
        ks.load(null, args[1].toCharArray());
        for (String alias : Collections.list(ks.aliases())) {
            if (!ks.isKeyEntry(alias))
                continue;
            PrivateKey key = (PrivateKey) ks.getKey(alias, null);
            Certificate cert = ks.getCertificate(alias);
            byte[] data = "EDS document".getBytes("UTF-8");
            Signature s = Signature.getInstance("SHA256withRSA", p);
            s.initSign(key);
            s.update(data);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance("SHA256withRSA");
            v.initVerify(cert.getPublicKey());
            v.update(data);
            System.out.println("alias=" + alias + " signature=" + sig.length + " verified=" + v.verify(sig));
            return;
        }
        System.out.println("no key entry");
        System.exit(1);
    }
}
