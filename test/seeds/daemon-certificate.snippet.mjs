// The seed's daemon snippet with a certificate credential, configured as msal-node documents
// (clientCertificate: { thumbprintSha256, privateKey }). Only the import line changes.
import * as msal from '@azure/msal-node'
import fs from 'node:fs'

const msalConfig = {
  auth: {
    clientId: process.env.CLIENT_ID,
    authority: process.env.AAD_ENDPOINT + process.env.TENANT_ID,
    clientCertificate: {
      thumbprintSha256: process.env.CERTIFICATE_THUMBPRINT,
      privateKey: fs.readFileSync(process.env.CERTIFICATE_PRIVATE_KEY_PATH, 'utf8'),
    },
  },
}
const cca = new msal.ConfidentialClientApplication(msalConfig)

const tokenRequest = {
    scopes: [process.env.GRAPH_ENDPOINT + '.default'], // e.g. 'https://graph.microsoft.com/.default'
};

try {
    const authResponse = await cca.acquireTokenByClientCredential(tokenRequest);
    console.log(authResponse.accessToken) // display access token
} catch (error) {
    console.log(error);
}
