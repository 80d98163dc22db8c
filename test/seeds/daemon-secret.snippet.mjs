// The Node.js daemon snippet of the seed page (003_4aa67b9c7aa9990a.txt), with the app set up as in
// Microsoft's msal-node daemon sample. Written for @azure/msal-node; the test runs it once with
// msal-node itself and once with only the import line changed to entra-oauth.
import * as msal from '@azure/msal-node'

const msalConfig = {
  auth: {
    clientId: process.env.CLIENT_ID,
    authority: process.env.AAD_ENDPOINT + process.env.TENANT_ID,
    clientSecret: process.env.CLIENT_SECRET,
  },
}
const cca = new msal.ConfidentialClientApplication(msalConfig)

const tokenRequest = {
    scopes: [process.env.GRAPH_ENDPOINT + '.default'], // e.g. 'https://graph.microsoft.com/.default'
};

try {
    const authResponse = await cca.acquireTokenByClientCredential(tokenRequest);
    console.log(authResponse.accessToken) // display access token

    // scenario-daemon-call-api: call the web API with the token.
    const response = await fetch(process.env.GRAPH_ENDPOINT + 'v1.0/users', {
        headers: { Authorization: `Bearer ${authResponse.accessToken}` },
    });
    console.log(await response.json());
} catch (error) {
    console.log(error);
}
