// The routes the messages function serves; its handler's route table has exactly these keys.
export const routes = ['GET /messages', 'POST /messages', 'DELETE /messages/{messageId}'] as const;
