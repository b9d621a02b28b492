// The routes the token service serves, read from its own route table.
export { AUTH_ROUTES as routes } from './token-service';
