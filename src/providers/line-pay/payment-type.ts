/** The API's name for LINE Pay barcode (My Code) payments. */
export const LINE_QRCODE_PAY = 'LINE_QRCODE_PAY';
/** Its name for people: messages and the console. */
export const LINE_DISPLAY_NAME = 'LINE Pay';
