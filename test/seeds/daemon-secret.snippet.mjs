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
} catch (error) {
    console.log(error);
}

// The page's next step (scenario-daemon-call-api): call the web API with a token; this one comes
// from the cache.
const { accessToken } = await cca.acquireTokenByClientCredential(tokenRequest)
const response = await fetch(process.env.GRAPH_ENDPOINT + 'v1.0/users', {
  headers: { Authorization: `Bearer ${accessToken}` },
})
console.log(await response.json())
