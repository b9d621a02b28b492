// The routes the users function serves; its handler's route table has exactly these keys.
export const routes = ['GET /users', 'GET /users/{userId}', 'PUT /users/{userId}/roles'] as const;
