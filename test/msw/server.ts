/** The one msw server every test shares. Unhandled requests fail the test: nothing leaks to the network. */
import { setupServer } from 'msw/node'

export const server = setupServer()
