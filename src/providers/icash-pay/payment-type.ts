/** The API's name for icash Pay offline barcode payments. */
export const I_CASH_QRCODE_PAY = 'I_CASH_QRCODE_PAY';
